"""A meeting: creating one, attendance, and the changes attendees must see (reschedule, cancel, invitations,
replies)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coalition.core import ledger, policy
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.policy import READERS, Classification
from coalition.directory.models import Body, Organisation, Person, Position
from coalition.meetings import integrity
from coalition.meetings.models import (
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    MeetingSeries,
    MinutesApproval,
)
from coalition.meetings.services.agenda import (
    carry,
    ensure_action_review,
    ensure_approval_item,
    ensure_digest,
    next_meeting,
    next_position,
    previous_meeting,
)
from coalition.meetings.services.checks import (
    check_classification,
    check_zone,
    locked,
    require_manage,
    visible_or_none,
)
from coalition.meetings.services.schedule import agenda_from_template, everyone_taking_part


def create_meeting(
    *,
    by: Any,
    title: str,
    starts_at: dt.datetime,
    host_time_zone: str,
    duration_minutes: int = 60,
    series: MeetingSeries | None = None,
    body: Body | None = None,
    virtual: bool = True,
    location: str = "",
    classification: str | None = None,
) -> Meeting:
    """A single meeting, or one more meeting of a series (its agenda from the series' template, with what is due).
    A meeting of a series is classified as its series unless told otherwise, and never more openly: it inherits the
    series' carried items, minutes to approve and open actions."""
    policy.require(by, "meetings.manage")
    title = title.strip()
    if not title:
        raise InvalidInput("Give the meeting a title.", field="title")
    if starts_at.tzinfo is None:
        raise InvalidInput("A meeting's start must name its time zone.", field="starts_at")
    check_zone(host_time_zone, "host_time_zone")
    if series is not None and not policy.is_visible(by, series):
        raise AccessDenied("You do not have access to this series.")
    if classification is None:
        classification = series.classification if series is not None else Classification.MEMBERS
    check_classification(by, classification)
    if series is not None and not READERS[classification] <= READERS[series.classification]:
        raise InvalidInput(
            f"A meeting of {series} is classified {series.get_classification_display().lower()} or more strictly: "
            "its agenda carries the series' items.",
            field="classification",
        )
    visible_or_none(by, body, "body", "body")
    if not 15 <= duration_minutes <= 600:
        raise InvalidInput("A meeting lasts 15 minutes to 10 hours.", field="duration_minutes")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            series=series,
            title=title,
            body=body or (series.body if series else None),
            starts_at=starts_at.astimezone(dt.UTC),
            duration_minutes=duration_minutes,
            host_time_zone=host_time_zone,
            virtual=virtual,
            location=location.strip(),
            organiser=by,
            classification=classification,
        )
        if series is not None:
            agenda_from_template(meeting, series.agenda_template)
            previous = previous_meeting(meeting)
            if previous is not None:
                for item in previous.agenda.filter(outcome=AgendaItem.Outcome.NOT_REACHED, carried_to__isnull=True):
                    carry(item, meeting)
                if previous.minutes_state == Meeting.MinutesState.CIRCULATED:
                    ensure_approval_item(previous, meeting)
                ensure_action_review(meeting)
        ledger.record("meetings.meeting_created", actor=by, subject=meeting, data={"starts_at": meeting.starts_at})
    return meeting


@dataclass(frozen=True)
class AttendanceRow:
    status: str
    organisation: Organisation | None = None
    person: Person | None = None


def record_attendance(*, meeting: Meeting, by: Any, rows: Iterable[AttendanceRow]) -> int:
    """Record who was present, sent apologies or was absent; every row is checked before any is saved."""
    require_manage(by, meeting)
    rows = list(rows)
    for n, row in enumerate(rows, start=1):
        if row.status not in Attendance.Status.values:
            raise InvalidInput(f"Row {n}: choose present, apologies or absent.", field="status")
        if row.organisation is None and row.person is None:
            raise InvalidInput(f"Row {n}: name a member or a person.", field="organisation")
        visible_or_none(by, row.organisation, "organisation", f"member or organisation in row {n}")
        visible_or_none(by, row.person, "person", f"person in row {n}")
    with transaction.atomic():
        meeting = locked(meeting)  # locked: attendance is recorded, and approval freezes it, one at a time
        earlier = {integrity.attendance_key(a.person_id, a.organisation_id): a for a in meeting.attendance.order_by()}
        changes = []
        for row in rows:
            person_id, organisation_id = getattr(row.person, "pk", None), getattr(row.organisation, "pk", None)
            was = earlier.get(integrity.attendance_key(person_id, organisation_id))
            if was is not None and was.status == row.status and organisation_id in (None, was.organisation_id):
                continue  # unchanged: who recorded it, and when, stay true
            key: dict[str, Any] = (
                {"meeting": meeting, "person": row.person}
                if row.person
                else {"meeting": meeting, "organisation": row.organisation, "person": None}
            )
            defaults: dict[str, Any] = {"status": row.status, "recorded_by": by, "recorded_at": timezone.now()}
            if row.organisation is not None:  # a person's row keeps the member it was recorded for
                defaults["organisation"] = row.organisation
            Attendance.objects.update_or_create(**key, defaults=defaults)
            change = {"person": person_id, "organisation": organisation_id, "to": row.status}
            changes.append(change | {"from": was.status if was else None})
        data: dict[str, Any] = {"rows": len(rows)}
        if MinutesApproval.objects.filter(minutes_of=meeting).exists():
            # The approved minutes froze the attendance; what changes after is shown as a later change.
            data |= {"after_approval": True, "changes": changes}
        ledger.record("meetings.attendance_recorded", actor=by, subject=meeting, data=data)
    return len(rows)


def invitees(meeting: Meeting) -> list[tuple[Person, Organisation | None]]:
    """Who is invited on the meeting's date: the members' focal points (or the body's people, or the troika's),
    the Chair's lead and the Support Unit — each only if they may see the meeting. A person without an account is
    judged by the roles their positions would give an account, since the invitation shows them the meeting."""
    on = meeting.starts_at.date()
    series = meeting.series
    if series is not None:
        participation = series.participation
    else:
        body_led = meeting.body_id is not None
        participation = MeetingSeries.Participation.BODY if body_led else MeetingSeries.Participation.MEMBERS
    current = Position.objects.filter(Position.current_q(on)).select_related("person", "organisation")
    chosen: dict[int, tuple[Person, Organisation | None]] = {}
    if participation == MeetingSeries.Participation.BODY:
        positions = current.filter(body_id=meeting.body_id) if meeting.body_id else current.none()
    else:
        # Everyone taking part, whether or not their capital's zone is known (that matters to rotation only).
        members = [p.organisation for p in everyone_taking_part(participation=participation, body=meeting.body, on=on)]
        positions = current.filter(
            organisation__in=[org for org in members if org is not None],
            kind__in=[Position.Kind.FOCAL_POINT, Position.Kind.CHAIR_LEAD],
        )
    positions = positions | current.filter(
        Q(kind=Position.Kind.SUPPORT_UNIT_STAFF) | Q(body__kind__in=[Body.Kind.SUPPORT_UNIT, Body.Kind.CHAIR])
    )
    for position in positions.order_by("person__full_name", "pk"):
        chosen.setdefault(position.person_id, (position.person, position.organisation))
    account_model = get_user_model()
    invited = []
    for person, org in chosen.values():
        account = getattr(person, "account", None) or account_model(person_id=person.pk, is_active=True)
        if policy.is_visible(account, meeting):
            invited.append((person, org))
    return invited


def invite(*, meeting: Meeting, by: Any) -> list[Invitation]:
    """Create the invitations of a meeting (the people of `invitees`); the email goes out through a task."""
    require_manage(by, meeting)
    with transaction.atomic():
        meeting = locked(meeting)
        if meeting.is_cancelled:
            raise InvalidInput("The meeting is cancelled.", field="meeting")
        created = []
        for person, org in invitees(meeting):
            account = getattr(person, "account", None)
            email = person.email or (account.email if account else "")
            invitation, made = Invitation.objects.get_or_create(
                meeting=meeting, person=person, defaults={"organisation": org, "email": email}
            )
            if made:
                created.append(invitation)
        ledger.record("meetings.invited", actor=by, subject=meeting, data={"new": len(created)})
    return created


def reschedule(
    *,
    meeting: Meeting,
    by: Any,
    starts_at: dt.datetime,
    duration_minutes: int | None = None,
    location: str | None = None,
) -> Meeting:
    """Move a meeting: the UID stays, SEQUENCE goes up, so calendars replace the event rather than add one. A new
    time or length asks everyone to reply again (RFC 5546: earlier replies answered another time)."""
    require_manage(by, meeting)
    if starts_at.tzinfo is None:
        raise InvalidInput("A meeting's start must name its time zone.", field="starts_at")
    if duration_minutes is not None and not 15 <= duration_minutes <= 600:
        raise InvalidInput("A meeting lasts 15 minutes to 10 hours.", field="duration_minutes")
    with transaction.atomic():
        meeting = locked(meeting)
        if meeting.is_cancelled:
            raise InvalidInput("A cancelled meeting cannot be moved.", field="starts_at")
        before, length = meeting.starts_at, meeting.duration_minutes
        meeting.starts_at = starts_at.astimezone(dt.UTC)
        if duration_minutes is not None:
            meeting.duration_minutes = duration_minutes
        if location is not None:
            meeting.location = location.strip()
        meeting.sequence += 1
        meeting.updated_at = timezone.now()
        meeting.save()
        if (meeting.starts_at, meeting.duration_minutes) != (before, length):
            meeting.invitations.exclude(reply=Invitation.Reply.NEEDS_ACTION).update(
                reply=Invitation.Reply.NEEDS_ACTION, replied_at=None
            )
        ledger.record(
            "meetings.rescheduled",
            actor=by,
            subject=meeting,
            data={"from": before, "to": meeting.starts_at, "sequence": meeting.sequence},
        )
    return meeting


def cancel(*, meeting: Meeting, by: Any, reason: str = "") -> Meeting:
    """Cancel a meeting (SEQUENCE goes up, so calendars drop it). What was due at it moves to the series' next
    meeting: the items carried to it, the approval of earlier minutes and the review of open actions."""
    require_manage(by, meeting)
    with transaction.atomic():
        meeting = locked(meeting)
        if meeting.is_cancelled:
            raise InvalidInput("The meeting is already cancelled.", field="meeting")
        meeting.state = Meeting.State.CANCELLED
        meeting.sequence += 1
        meeting.updated_at = timezone.now()
        meeting.save(update_fields=["state", "sequence", "updated_at"])
        moved = _move_due_items(meeting)
        ledger.record(
            "meetings.cancelled", actor=by, subject=meeting, data={"reason": reason.strip(), "items_moved": moved}
        )
    return meeting


def _move_due_items(cancelled: Meeting) -> int:
    following = next_meeting(cancelled)
    if following is None:
        return 0
    moved = 0
    pending = cancelled.agenda.filter(outcome=AgendaItem.Outcome.PENDING).select_related("approves")
    for item in pending.filter(Q(carried_from__isnull=False) | Q(approves__isnull=False)).order_by("position", "pk"):
        if item.approves is not None:
            if item.approves.minutes_state == Meeting.MinutesState.CIRCULATED:
                ensure_approval_item(item.approves, following)
                moved += 1
            continue
        item.meeting, item.position = following, next_position(following)
        item.save(update_fields=["meeting", "position"])
        moved += 1
    ensure_action_review(following)
    if cancelled.agenda.filter(kind=AgendaItem.Kind.QUARTERLY_CALLS).exists():
        ensure_digest(following)
    return moved


def record_reply(*, invitation: Invitation, by: Any, reply: str, sequence: int | None = None) -> Invitation:
    """The invited person accepts, declines or says tentative; a reply to an older SEQUENCE than the latest sent
    is refused, since it answers a time that has changed. The Support Unit may record a reply that reached it by
    email on the person's behalf ("meetings.record_reply_for"); the ledger names who recorded it."""
    if not (policy.can(by, "meetings.rsvp", invitation) or policy.can(by, "meetings.record_reply_for")):
        policy.require(by, "meetings.rsvp", invitation)
    if reply not in Invitation.REPLIES:
        raise InvalidInput("Reply accepted, tentative or declined.", field="reply")
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("meeting").get(pk=invitation.pk)
        meeting = invitation.meeting
        if not policy.is_visible(by, meeting):
            raise AccessDenied("You do not have access to this meeting.")
        if meeting.is_cancelled:
            raise InvalidInput("The meeting is cancelled: there is nothing to reply to.", field="reply")
        # Judged against what the person was last sent: between a change and its email, the invitation they hold
        # is still the one to answer.
        latest = invitation.sent_sequence if invitation.sent_sequence is not None else meeting.sequence
        if sequence is not None and sequence < latest:
            raise InvalidInput(
                f"This reply answers version {sequence} of the invitation; the meeting has changed since "
                f"(version {latest}). Reply to the latest invitation.",
                field="sequence",
            )
        invitation.reply = reply
        invitation.replied_at = timezone.now()
        invitation.save(update_fields=["reply", "replied_at"])
        ledger.record("meetings.rsvp", actor=by, subject=meeting, data={"invitation": invitation.pk, "reply": reply})
    return invitation
