"""Minutes: each item's text, circulation, return to draft and approval; decisions and action items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.core import ledger, policy
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.directory.models import Organisation, Person
from coalition.directory.queries import today
from coalition.meetings import integrity, notices
from coalition.meetings.models import (
    ActionItem,
    AgendaItem,
    Decision,
    Meeting,
    MinutesApproval,
    MinutesRevision,
)
from coalition.meetings.services.agenda import ensure_action_review, ensure_approval_item, next_meeting
from coalition.meetings.services.checks import (
    locked,
    require_manage,
    require_open_minutes,
    require_state,
    visible_or_none,
)
from coalition.notifications import service
from coalition.programme import services as programme
from coalition.programme.models import Activity

# A meeting approves earlier minutes while it is under way: it may have started, or start within this margin.
APPROVAL_MARGIN = dt.timedelta(hours=24)


def save_minutes(*, item: AgendaItem, by: Any, text: str) -> MinutesRevision | None:
    """Save an item's minutes as a new revision (nothing when unchanged). Only draft minutes change."""
    require_manage(by, item.meeting)
    text = text.strip()
    with transaction.atomic():
        meeting = locked(item.meeting_id)
        require_open_minutes(meeting, "text")
        current = item.minutes_revisions.select_for_update().order_by("-number").first()
        if (current.text if current else "") == text:
            return None
        revision = MinutesRevision.objects.create(
            item=item, number=(current.number + 1) if current else 1, text=text, author=by
        )
        ledger.record(
            "meetings.minutes_saved",
            actor=by,
            subject=meeting,
            data={"item": item.pk, "revision": revision.number, "sha256": integrity.sha256(text)},
        )
    return revision


def circulate_minutes(*, meeting: Meeting, by: Any) -> Meeting:
    """Send the draft minutes round; they go on the next meeting's agenda for approval."""
    require_manage(by, meeting)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        require_state(meeting, Meeting.MinutesState.DRAFT)
        if meeting.is_cancelled:
            raise InvalidInput("A cancelled meeting has no minutes to circulate.", field="minutes_state")
        if meeting.starts_at > timezone.now():
            raise InvalidInput("A meeting that has not started has no minutes to circulate.", field="minutes_state")
        if not _has_minutes(meeting):
            raise InvalidInput("Write the minutes of at least one item before circulating them.", field="minutes_state")
        meeting.minutes_state = Meeting.MinutesState.CIRCULATED
        meeting.minutes_circulated_at = timezone.now()
        meeting.save(update_fields=["minutes_state", "minutes_circulated_at"])
        following = next_meeting(meeting)
        if following is not None:
            ensure_approval_item(meeting, following)
            ensure_action_review(following)  # actions still open after this meeting come back at the next
        ledger.record("meetings.minutes_circulated", actor=by, subject=meeting, data={"hash": minutes_hash(meeting)})
        service.notify(
            kind=notices.MINUTES_CIRCULATED,
            subject=meeting,
            recipients=notices.minutes_readers(meeting, by=by),
            reason=_("You were invited to this meeting or to the next of its series, which approves its minutes."),
            key=meeting.minutes_circulated_at.isoformat(),
        )
    return meeting


def _has_minutes(meeting: Meeting) -> bool:
    """Some item's current minutes say something, or a decision was recorded (a blanked item is no minutes)."""
    if meeting.decisions.exists():
        return True
    latest = MinutesRevision.objects.filter(item=OuterRef("item")).order_by("-number").values("number")[:1]
    return MinutesRevision.objects.filter(item__meeting=meeting, number=Subquery(latest)).exclude(text="").exists()


def return_to_draft(*, meeting: Meeting, by: Any, reason: str) -> Meeting:
    require_manage(by, meeting)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Say why the circulated minutes go back to draft.", field="reason")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        require_state(meeting, Meeting.MinutesState.CIRCULATED)
        meeting.minutes_state = Meeting.MinutesState.DRAFT
        meeting.save(update_fields=["minutes_state"])
        ledger.record("meetings.minutes_returned", actor=by, subject=meeting, data={"reason": reason})
    return meeting


def _item_minutes(meeting: Meeting) -> list[integrity.ItemMinutes]:
    return [(item, item.current_minutes()) for item in meeting.agenda.order_by("position", "pk")]


def minutes_hash(meeting: Meeting) -> str:
    """A digest of the minutes as they stand (`integrity.minutes_digest`)."""
    return integrity.minutes_digest(_item_minutes(meeting), meeting.decisions.all(), meeting.actions.all())


def approve_minutes(*, minutes_of: Meeting, at: Meeting, by: Any) -> MinutesApproval:
    """Record that meeting `at` approved the circulated minutes of an earlier meeting of the same series."""
    require_manage(by, minutes_of)
    if not policy.is_visible(by, at):
        raise AccessDenied("You do not have access to this meeting.")
    with transaction.atomic():
        minutes_of = locked(minutes_of)
        at = locked(at)
        if at.series_id is None or at.series_id != minutes_of.series_id or at.starts_at <= minutes_of.starts_at:
            raise InvalidInput("Minutes are approved at a later meeting of the same series.", field="at")
        if at.is_cancelled:
            raise InvalidInput("A cancelled meeting approves nothing.", field="at")
        if at.starts_at - timezone.now() > APPROVAL_MARGIN:
            raise InvalidInput(
                "Minutes are approved at the meeting itself: record the approval when that meeting takes place.",
                field="at",
            )
        require_state(minutes_of, Meeting.MinutesState.CIRCULATED)
        items = _item_minutes(minutes_of)
        digest = integrity.minutes_digest(items, minutes_of.decisions.all(), minutes_of.actions.all())
        attendance = integrity.attendance_snapshot(minutes_of.attendance.all())
        approval = MinutesApproval.objects.create(
            minutes_of=minutes_of, approved_at=at, approved_by=by, content_hash=digest, attendance=attendance
        )
        minutes_of.minutes_state = Meeting.MinutesState.APPROVED
        minutes_of.save(update_fields=["minutes_state"])
        ensure_approval_item(minutes_of, at)
        # Every item of `at` approving these minutes is taken, a copy carried from where it was not reached too.
        at.agenda.filter(approves=minutes_of).exclude(outcome=AgendaItem.Outcome.TAKEN).update(
            outcome=AgendaItem.Outcome.TAKEN
        )
        # Each approved revision's hash and the frozen attendance's digest go into the ledger (and so into its
        # published Merkle tree) beside the digest of the whole: the pages check what they show against it.
        ledger.record(
            integrity.APPROVED,
            actor=by,
            subject=minutes_of,
            data={
                "at": at.pk,
                "hash": digest,
                "revisions": integrity.revision_hashes(items),
                "attendance": integrity.attendance_digest(attendance),
            },
        )
        _link_evidence(minutes_of, by)
    return approval


def _link_evidence(meeting: Meeting, by: Any) -> None:
    """Approved minutes become evidence for the activities their items, decisions and actions name, through the
    programme's own service (its access check, its ledger event). An activity the approver cannot see, or one
    already linked to these minutes, is left as it is."""
    activity_ids = {d.activity_id for d in meeting.decisions.all() if d.activity_id}
    activity_ids |= {a.activity_id for a in meeting.actions.all() if a.activity_id}
    activity_ids |= {i.activity_id for i in meeting.agenda.all() if i.activity_id}
    if not activity_ids or not policy.can(by, "programme.link_evidence"):
        return
    for activity in policy.visible_to(by, Activity).filter(pk__in=activity_ids).order_by("pk"):
        programme.link_evidence_if_new(
            activity=activity, record_type="meetings.meeting", record_id=str(meeting.pk), by=by, note="Approved minutes"
        )


def _item_of(meeting: Meeting, item: AgendaItem | None) -> AgendaItem | None:
    if item is not None and item.meeting_id != meeting.pk:
        raise InvalidInput("That agenda item belongs to another meeting.", field="item")
    return item


def record_decision(
    *, meeting: Meeting, by: Any, text: str, item: AgendaItem | None = None, activity: Any = None
) -> Decision:
    require_manage(by, meeting)
    text = text.strip()
    if not text:
        raise InvalidInput("Write the decision.", field="text")
    visible_or_none(by, activity, "activity", "activity")
    with transaction.atomic():
        meeting = locked(meeting)
        require_open_minutes(meeting, "text")
        decision = Decision.objects.create(
            meeting=meeting, item=_item_of(meeting, item), text=text, activity=activity, recorded_by=by
        )
        ledger.record("meetings.decision_recorded", actor=by, subject=meeting, data={"decision": decision.pk})
    return decision


def assign_action(
    *,
    meeting: Meeting,
    by: Any,
    text: str,
    owner: Person | None = None,
    owner_organisation: Organisation | None = None,
    due_on: dt.date | None = None,
    item: AgendaItem | None = None,
    activity: Any = None,
) -> ActionItem:
    require_manage(by, meeting)
    text = text.strip()
    if not text:
        raise InvalidInput("Say what is to be done.", field="text")
    if owner is None and owner_organisation is None:
        raise InvalidInput("Name who owns the action: a person or a member.", field="owner")
    visible_or_none(by, owner, "owner", "person")
    visible_or_none(by, owner_organisation, "owner_organisation", "organisation")
    visible_or_none(by, activity, "activity", "activity")
    # The meeting's date is the host's as much as UTC's: an evening meeting in Santiago is already tomorrow in UTC.
    if due_on is not None and due_on < min(meeting.starts_at.date(), meeting.local_start().date()):
        raise InvalidInput("An action cannot be due before the meeting that set it.", field="due_on")
    with transaction.atomic():
        meeting = locked(meeting)
        require_open_minutes(meeting, "text")
        action = ActionItem.objects.create(
            meeting=meeting,
            item=_item_of(meeting, item),
            text=text,
            owner=owner,
            owner_organisation=owner_organisation,
            due_on=due_on,
            activity=activity,
            recorded_by=by,
        )
        following = next_meeting(meeting)
        if following is not None:
            ensure_action_review(following)
        ledger.record("meetings.action_assigned", actor=by, subject=meeting, data={"action": action.pk})
    return action


def close_action(*, action: ActionItem, by: Any, state: str, at: Meeting | None = None) -> ActionItem:
    """Mark an action done or dropped, at a later meeting of its series when that is where it was closed."""
    require_manage(by, action.meeting)
    if state not in (ActionItem.State.DONE, ActionItem.State.DROPPED, ActionItem.State.OPEN):
        raise InvalidInput("Choose done, dropped or open.", field="state")
    if at is not None and (
        at.series_id is None or at.series_id != action.meeting.series_id or at.starts_at <= action.meeting.starts_at
    ):
        raise InvalidInput("An action is closed at a later meeting of its series.", field="at")
    if at is not None and not policy.is_visible(by, at):
        raise AccessDenied("You do not have access to this meeting.")
    with transaction.atomic():
        action.state = state
        action.closed_at_meeting = at if state != ActionItem.State.OPEN else None
        action.closed_on = today() if state != ActionItem.State.OPEN else None
        action.save(update_fields=["state", "closed_at_meeting", "closed_on"])
        ledger.record(
            "meetings.action_closed", actor=by, subject=action.meeting, data={"action": action.pk, "state": state}
        )
    return action
