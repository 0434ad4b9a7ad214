"""The order of a series' meetings and their agendas: the items a meeting adds itself (approval of the previous
minutes, review of open actions, the quarterly calls' digest), items carried over, agenda items and outcomes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max, Q

from coalition.core import ledger
from coalition.core.errors import InvalidInput
from coalition.core.policy import READERS
from coalition.directory.models import Person
from coalition.meetings.models import (
    ActionItem,
    AgendaItem,
    Meeting,
    QuarterlyCall,
    quarter_bounds,
    quarter_of,
)
from coalition.meetings.services.checks import locked, require_agenda_open, require_manage, visible_or_none


def previous_meeting(meeting: Meeting) -> Meeting | None:
    if meeting.series_id is None:
        return None
    return (
        Meeting.objects.filter(series_id=meeting.series_id, starts_at__lt=meeting.starts_at)
        .exclude(state=Meeting.State.CANCELLED)
        .order_by("-starts_at")
        .first()
    )


def next_meeting(meeting: Meeting) -> Meeting | None:
    if meeting.series_id is None:
        return None
    return (
        Meeting.objects.filter(series_id=meeting.series_id, starts_at__gt=meeting.starts_at)
        .exclude(state=Meeting.State.CANCELLED)
        .order_by("starts_at")
        .first()
    )


def open_actions_before(meeting: Meeting) -> list[ActionItem]:
    """The action items of the series still open when this meeting starts (closed at this meeting included, so
    its minutes show them), each raised at an earlier meeting."""
    if meeting.series_id is None:
        return []
    return list(
        ActionItem.objects.filter(meeting__series_id=meeting.series_id, meeting__starts_at__lt=meeting.starts_at)
        .filter(Q(state=ActionItem.State.OPEN) | Q(closed_at_meeting=meeting))
        .select_related("owner", "owner_organisation", "meeting", "activity")
        .order_by("due_on", "pk")
    )


def next_position(meeting: Meeting) -> int:
    return (meeting.agenda.aggregate(top=Max("position"))["top"] or 0) + 10


def _ensure_generated(meeting: Meeting, kind: str, title: str, *, position: int, **fields: Any) -> AgendaItem:
    item, created = AgendaItem.objects.get_or_create(
        meeting=meeting, kind=kind, defaults={"title": title, "position": position, **fields}
    )
    if not created and fields:
        for name, value in fields.items():
            setattr(item, name, value)
        item.save(update_fields=list(fields))
    return item


def ensure_approval_item(minutes_of: Meeting, at: Meeting) -> AgendaItem:
    """The item of `at` that approves the minutes of `minutes_of`. A meeting has one generated approval item; when
    it already approves other minutes (those of its own predecessor), these minutes get a plain item beside it
    rather than taking that one over."""
    existing = at.agenda.filter(approves=minutes_of).order_by("pk").first()
    if existing is not None:
        return existing
    held = minutes_of.local_start()  # the date as the host wrote it
    title = f"Approval of the minutes of {held.day} {held:%B %Y}"
    taken = at.agenda.filter(kind=AgendaItem.Kind.MINUTES_APPROVAL).exists()
    return AgendaItem.objects.create(
        meeting=at,
        kind=AgendaItem.Kind.ITEM if taken else AgendaItem.Kind.MINUTES_APPROVAL,
        title=title,
        position=1,
        approves=minutes_of,
    )


def ensure_action_review(meeting: Meeting) -> AgendaItem | None:
    if open_actions_before(meeting):
        return _ensure_generated(meeting, AgendaItem.Kind.ACTION_REVIEW, "Review of open action items", position=2)
    return None


def ensure_digest(meeting: Meeting) -> AgendaItem | None:
    text = quarterly_digest_text(meeting)
    if not text:
        return None
    return _ensure_generated(
        meeting,
        AgendaItem.Kind.QUARTERLY_CALLS,
        "Members' quarterly update calls: digest",
        position=3,
        description=text,
    )


def carry(item: AgendaItem, to: Meeting) -> AgendaItem | None:
    """Carry an item not reached to `to`. A review of actions or a digest of calls is not copied: `to` gets its
    own, up to date; an approval of minutes keeps naming the minutes it approves."""
    if item.kind == AgendaItem.Kind.ACTION_REVIEW:
        return ensure_action_review(to)
    if item.kind == AgendaItem.Kind.QUARTERLY_CALLS:
        return ensure_digest(to)
    return AgendaItem.objects.create(
        meeting=to,
        position=next_position(to),
        title=item.title,
        description=item.description,
        owner=item.owner,
        activity=item.activity,
        approves=item.approves,
        carried_from=item,
    )


def add_agenda_item(
    *,
    meeting: Meeting,
    by: Any,
    title: str,
    description: str = "",
    owner: Person | None = None,
    activity: Any = None,
) -> AgendaItem:
    require_manage(by, meeting)
    title = title.strip()
    if not title:
        raise InvalidInput("Give the agenda item a title.", field="title")
    visible_or_none(by, owner, "owner", "person")
    visible_or_none(by, activity, "activity", "activity")
    with transaction.atomic():
        meeting = locked(meeting)
        require_agenda_open(meeting, "title")
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=next_position(meeting),
            title=title[:300],
            description=description.strip(),
            owner=owner,
            activity=activity,
        )
        ledger.record(
            "meetings.agenda_item_added", actor=by, subject=meeting, data={"item": item.pk, "title": item.title}
        )
    return item


def set_outcome(*, item: AgendaItem, by: Any, outcome: str) -> AgendaItem | None:
    """Mark an item taken or not reached; an item not reached carries over to the series' next meeting (returned)."""
    require_manage(by, item.meeting)
    if outcome not in AgendaItem.Outcome.values:
        raise InvalidInput("Choose taken, not reached or not yet taken.", field="outcome")
    carried = None
    with transaction.atomic():
        meeting = locked(item.meeting_id)
        require_agenda_open(meeting, "outcome")
        item.outcome = outcome
        item.save(update_fields=["outcome"])
        following = next_meeting(meeting)
        if outcome == AgendaItem.Outcome.NOT_REACHED and following is not None and not item.carried_to.exists():
            carried = carry(item, following)
        elif outcome != AgendaItem.Outcome.NOT_REACHED:
            # Taken after all: withdraw a carried copy that nothing has been recorded against yet.
            item.carried_to.filter(
                outcome=AgendaItem.Outcome.PENDING,
                meeting__minutes_state=Meeting.MinutesState.DRAFT,
                minutes_revisions__isnull=True,
                decisions__isnull=True,
                actions__isnull=True,
                carried_to__isnull=True,
            ).delete()
        ledger.record("meetings.agenda_outcome", actor=by, subject=meeting, data={"item": item.pk, "outcome": outcome})
    return carried


def _as_open_as(call_classification: str, meeting_classification: str) -> bool:
    """A call may be summarised at a meeting only if everyone who reads the meeting may read the call."""
    return READERS[meeting_classification] <= READERS[call_classification]


def quarterly_digest_text(meeting: Meeting) -> str:
    """The generated agenda text: the calls of the quarter before the meeting and of its quarter so far."""
    year, quarter = quarter_of(meeting.starts_at.date())
    previous = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    since, _ = quarter_bounds(*previous)
    calls = [
        call
        for call in QuarterlyCall.objects.filter(held_on__gte=since, held_on__lte=meeting.starts_at.date())
        .select_related("organisation")
        .prefetch_related("posts")
        .order_by("organisation__name", "held_on")
        if _as_open_as(call.classification, meeting.classification)
    ]
    if not calls:
        return ""
    lines = [f"{len(calls)} quarterly update call(s) since {since:%d %B %Y} (PoA 1B.2):"]
    for call in calls:
        posts = ", ".join(post.city for post in call.posts.all())
        lines.append(f"- {call.organisation} — {call.held_on:%d %b %Y}" + (f" with {posts}" if posts else ""))
        lines.append(f"  Topics: {call.topics}")
        if call.proposed_actions:
            lines.append(f"  Proposed actions: {call.proposed_actions}")
        if call.asks:
            lines.append(f"  Asks of the coalition: {call.asks}")
    return "\n".join(lines)
