"""Checks the meetings services share: access to a meeting, its state, and the values a series or meeting may take."""

from __future__ import annotations

from typing import Any

from coalition.core import policy
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.policy import Classification
from coalition.directory.models import zone_names
from coalition.meetings.models import Meeting


def check_classification(by: Any, classification: str) -> None:
    actor = policy.actor_for(by)
    if classification not in Classification.values:
        raise InvalidInput("Choose a classification.", field="classification")
    if classification == Classification.RESTRICTED:
        raise InvalidInput(
            "Meetings are public, coalition or members; restricted meetings are not offered.", field="classification"
        )
    if classification not in actor.readable_classifications():
        raise InvalidInput("Choose a classification you can read yourself.", field="classification")


def check_zone(name: str, field: str) -> str:
    """An IANA zone name. ZoneInfo alone would also open "localtime" or "posix/Europe/Paris", which are files of
    the server rather than names a calendar or another reader understands."""
    if not name:
        raise InvalidInput("Give a time zone.", field=field)
    if name not in zone_names():
        raise InvalidInput(f"{name!r} is not a time zone (use a name such as Europe/Amsterdam).", field=field)
    return name


def require_manage(by: Any, meeting: Meeting) -> None:
    policy.require(by, "meetings.manage")
    if not policy.is_visible(by, meeting):
        raise AccessDenied("You do not have access to this meeting.")


def locked(meeting: Meeting | int) -> Meeting:
    """The meeting as it stands, locked to the end of the transaction: a state check must not trust the copy the
    caller holds, which may predate a circulation, an approval or a cancellation."""
    return Meeting.objects.select_for_update().get(pk=meeting if isinstance(meeting, int) else meeting.pk)


def require_agenda_open(meeting: Meeting, field: str) -> None:
    if meeting.minutes_state == Meeting.MinutesState.APPROVED:
        raise InvalidInput("The minutes of this meeting are approved: its agenda is closed.", field=field)


def visible_or_none(by: Any, obj: Any, field: str, what: str) -> Any:
    if obj is not None and not policy.is_visible(by, obj):
        raise InvalidInput(f"No such {what} that you can see.", field=field)
    return obj


def require_state(meeting: Meeting, *states: str, field: str = "minutes_state") -> None:
    if meeting.minutes_state not in states:
        raise InvalidInput(f"The minutes are {meeting.get_minutes_state_display().lower()}.", field=field)


def require_open_minutes(meeting: Meeting, field: str) -> None:
    if meeting.minutes_state != Meeting.MinutesState.DRAFT:
        raise InvalidInput(
            f"The minutes are {meeting.get_minutes_state_display().lower()}: return them to draft to change them.",
            field=field,
        )
