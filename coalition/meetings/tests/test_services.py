"""Every write to meetings (issue 4), across the services: who may make each write, and who may read what was
written. The writes by subject are in test_series_services, test_meeting_services, test_minutes_services and
test_call_services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from coalition.core.errors import AccessDenied
from coalition.core.models import Audience
from coalition.core.policy import Classification, Role, visible_to
from coalition.meetings import services
from coalition.meetings.models import (
    AgendaItem,
    Meeting,
    MeetingSeries,
)
from coalition.meetings.tests.factories import create_series, government
from coalition.meetings.tests.scenes import (
    AMSTERDAM,
    HOUR,
    NON_MANAGERS,
    MakeUser,
    at_local,
    circulated,
    days_from_today,
    fresh,
    item_titled,
    written,
)

pytestmark = pytest.mark.django_db


# --- Security: who may write, who may read ----------------------------------------------------------------------


def alterations(meetings: list[Meeting], support: Any) -> dict[str, Callable[[Any], Any]]:
    """Every write on an existing meeting, as a call by `by`."""
    first, second, third = meetings
    item = item_titled(first, "Welcome")
    action = services.assign_action(meeting=first, by=support, text="Report.", owner_organisation=government("NL"))
    return {
        "create_meeting": lambda by: services.create_meeting(
            by=by, title="Extra", starts_at=third.starts_at + HOUR, host_time_zone=AMSTERDAM, series=first.series
        ),
        "add_agenda_item": lambda by: services.add_agenda_item(meeting=first, by=by, title="Extra"),
        "set_outcome": lambda by: services.set_outcome(item=item, by=by, outcome=AgendaItem.Outcome.NOT_REACHED),
        "save_minutes": lambda by: services.save_minutes(item=item, by=by, text="Rewritten."),
        "circulate_minutes": lambda by: services.circulate_minutes(meeting=first, by=by),
        "return_to_draft": lambda by: services.return_to_draft(meeting=first, by=by, reason="Because."),
        "approve_minutes": lambda by: services.approve_minutes(minutes_of=first, at=second, by=by),
        "record_decision": lambda by: services.record_decision(meeting=first, by=by, text="Decided."),
        "assign_action": lambda by: services.assign_action(
            meeting=first, by=by, text="Do it.", owner_organisation=government("NL")
        ),
        "close_action": lambda by: services.close_action(action=action, by=by, state="done", at=second),
        "record_attendance": lambda by: services.record_attendance(
            meeting=first, by=by, rows=[services.AttendanceRow(status="present", organisation=government("NL"))]
        ),
        "invite": lambda by: services.invite(meeting=third, by=by),
        "reschedule": lambda by: services.reschedule(meeting=third, by=by, starts_at=third.starts_at + HOUR),
        "cancel": lambda by: services.cancel(meeting=third, by=by),
    }


WRITES = [
    "create_meeting",
    "add_agenda_item",
    "set_outcome",
    "save_minutes",
    "circulate_minutes",
    "return_to_draft",
    "approve_minutes",
    "record_decision",
    "assign_action",
    "close_action",
    "record_attendance",
    "invite",
    "reschedule",
    "cancel",
]


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("role", [*NON_MANAGERS, Role.ANONYMOUS])
def test_only_managers_alter_meetings(
    support: Any, meetings: list[Meeting], make_user: MakeUser, write: str, role: Role
) -> None:
    calls = alterations(meetings, support)
    circulated(meetings[0], support)  # so that every write but the refusal would otherwise go through
    if write in ("save_minutes", "record_decision", "assign_action", "circulate_minutes"):
        services.return_to_draft(meeting=meetings[0], by=support, reason="To test drafting.")
    someone = AnonymousUser() if role == Role.ANONYMOUS else make_user(role)
    before = written()
    with pytest.raises(AccessDenied):
        calls[write](someone)
    assert written() == before


def test_the_writes_refused_to_others_are_open_to_the_support_unit(support: Any, meetings: list[Meeting]) -> None:
    calls = alterations(meetings, support)
    order = [w for w in WRITES if w not in ("circulate_minutes", "return_to_draft", "approve_minutes", "cancel")]
    for write in order:
        calls[write](support)
    circulated(meetings[0], support)
    calls["return_to_draft"](support)
    calls["circulate_minutes"](support)
    calls["approve_minutes"](support)
    calls["cancel"](support)


def test_a_manager_who_cannot_see_a_meeting_cannot_alter_it(chair: Any, support: Any) -> None:
    meeting = services.create_meeting(
        by=support, title="Closed", starts_at=at_local(days_from_today(3), "10:00"), host_time_zone=AMSTERDAM
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        classification=Classification.RESTRICTED, audience=Audience.objects.create(name="Support Unit only")
    )
    with pytest.raises(AccessDenied):
        services.add_agenda_item(meeting=fresh(meeting), by=chair, title="Peek")
    with pytest.raises(AccessDenied):
        services.cancel(meeting=fresh(meeting), by=chair)
    assert fresh(meeting).state == Meeting.State.SCHEDULED


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.ADVISORY_NETWORK, Role.GUEST])
def test_outsiders_to_the_governments_cannot_see_a_members_meeting(
    support: Any, make_user: MakeUser, role: Role
) -> None:
    members_only = services.create_meeting(
        by=support, title="Members", starts_at=at_local(days_from_today(3), "10:00"), host_time_zone=AMSTERDAM
    )
    someone = make_user(role)
    assert members_only not in visible_to(someone, Meeting.objects.all())
    assert list(visible_to(make_user(Role.MEMBER_OFFICIAL), Meeting.objects.all())) == [members_only]


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.ADVISORY_NETWORK])
def test_observers_and_the_advisory_network_see_coalition_meetings_only(
    support: Any, make_user: MakeUser, role: Role
) -> None:
    members_series = create_series(
        by=support, title="Members", first_on=days_from_today(3), count=1, host_time_zone=AMSTERDAM
    )
    coalition_series = create_series(
        by=support,
        title="Coalition",
        first_on=days_from_today(3),
        count=1,
        host_time_zone=AMSTERDAM,
        classification=Classification.COALITION,
    )
    someone = make_user(role)
    assert list(visible_to(someone, Meeting.objects.all())) == list(coalition_series.meetings.all())
    assert list(visible_to(someone, MeetingSeries)) == [coalition_series]
    assert members_series.meetings.get() not in visible_to(someone, Meeting)
