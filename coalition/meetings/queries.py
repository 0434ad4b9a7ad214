"""Reads of meetings worth a name, always through the access policy: upcoming and past meetings, a meeting's page
with its agenda, minutes, actions and attendance, the compiled minutes of a series, what a viewer may do on a page,
and the quarterly calls' compliance table.

Draft minutes (their text, decisions and action items) reach only those who may see drafts
("meetings.view_draft_minutes"); circulated and approved minutes reach whoever sees the meeting."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from coalition.core import policy
from coalition.directory.models import Office, Organisation, Person, Position
from coalition.directory.queries import participants_on, today
from coalition.meetings import integrity, services
from coalition.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Decision,
    Invitation,
    Meeting,
    MeetingSeries,
    MinutesApproval,
    MinutesRevision,
    QuarterlyCall,
    quarter_bounds,
)
from coalition.programme.models import Activity

UPCOMING_DAYS = 90


def meetings(user: Any) -> QuerySet[Meeting]:
    return policy.visible_to(user, Meeting).select_related("series", "approval__approved_at")


def series_list(user: Any) -> QuerySet[MeetingSeries]:
    return policy.visible_to(user, MeetingSeries).select_related("body").order_by("title")


def _listed(rows: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """The meetings index's rows: a meeting's own fields only (its series and approval, with their JSON, are not
    shown there; reading them per row would cost a decode each, issue 20)."""
    return rows.select_related(None)


def upcoming(user: Any, *, now: dt.datetime | None = None, days: int = UPCOMING_DAYS) -> QuerySet[Meeting]:
    """Meetings the user may see that start in the next `days` days (cancelled ones too, marked so on the page)."""
    now = now or timezone.now()
    rows = _listed(meetings(user))
    return rows.filter(starts_at__gte=now, starts_at__lt=now + dt.timedelta(days=days)).order_by("starts_at")


def past(user: Any, *, now: dt.datetime | None = None, limit: int = 30) -> list[Meeting]:
    """The latest meetings that have started, newest first, with their minutes state."""
    now = now or timezone.now()
    return list(
        _listed(meetings(user))
        .filter(starts_at__lt=now)
        .exclude(state=Meeting.State.CANCELLED)
        .order_by("-starts_at")[:limit]
    )


def series_meetings(user: Any, series: MeetingSeries) -> QuerySet[Meeting]:
    return meetings(user).filter(series=series).order_by("starts_at")


def with_readable_minutes(user: Any) -> QuerySet[Meeting]:
    """The meetings whose minutes `user` may read on the meeting's page (`may_see_minutes`, as one query)."""
    rows = meetings(user)
    if policy.can(user, "meetings.view_draft_minutes"):
        return rows
    return rows.exclude(minutes_state=Meeting.MinutesState.DRAFT)


def may_see_minutes(user: Any, meeting: Meeting) -> bool:
    return meeting.minutes_state != Meeting.MinutesState.DRAFT or policy.can(user, "meetings.view_draft_minutes")


def activity_by_code(user: Any, code: str) -> Any:
    """The programme activity with this code that the user may see, from the latest programme that has it."""
    return (
        policy.visible_to(user, Activity)
        .filter(code=code.strip())
        .order_by("-objective__goal__programme__year")
        .first()
    )


def people(user: Any) -> QuerySet[Person]:
    return policy.visible_to(user, Person).order_by("full_name")


def owners(user: Any, meeting: Meeting) -> QuerySet[Person]:
    """Who may own an agenda item or an action: the people the user may see who work for a government or a body
    today (not the networks' points of contact alone), and anyone invited to the meeting."""
    working = Position.objects.filter(Position.current_q(today())).exclude(kind=Position.Kind.NETWORK_POC)
    return (
        people(user)
        .filter(Q(pk__in=working.values("person_id")) | Q(pk__in=meeting.invitations.values("person_id")))
        .distinct()
    )


def members(user: Any) -> QuerySet[Organisation]:
    """Governments the user may see, the owners an action item or an attendance row can name."""
    return policy.visible_to(user, Organisation).filter(kind=Organisation.Kind.GOVERNMENT).order_by("name")


# --- One meeting ------------------------------------------------------------------------------------------------

_ACTIVITY = "activity__objective__goal__programme"


def _visible_activity(user: Any, row: Any) -> None:
    """Keep a linked activity on the row only where the user may see it (`shown_activity`)."""
    activity = row.activity
    row.shown_activity = activity if activity is not None and policy.is_visible(user, activity) else None


@dataclass
class MeetingPage:
    meeting: Meeting
    series: MeetingSeries | None  # where the user may see it
    agenda: list[AgendaItem]
    open_actions: list[ActionItem]  # raised at earlier meetings of the series, still open at this one
    decisions: list[Decision]
    actions: list[ActionItem]
    attendance: list[Attendance]
    invitation: Invitation | None  # the viewer's own
    invitations: list[Invitation]  # everyone's, for managers only
    previous: Meeting | None
    following: Meeting | None
    show_minutes: bool
    approval: MinutesApproval | None  # a later meeting approved these minutes
    approved_at: Meeting | None  # that meeting, where the user may see it
    check: integrity.ApprovalCheck | None = None  # whether the minutes shown are what was approved
    attendance_counts: dict[str, int] = field(default_factory=dict)
    attendance_gone: list[dict[str, Any]] = field(default_factory=list)  # frozen at approval, no longer recorded
    reply_counts: dict[str, int] = field(default_factory=dict)

    @property
    def has_action_review(self) -> bool:
        return any(item.kind == AgendaItem.Kind.ACTION_REVIEW for item in self.agenda)

    @property
    def has_minutes(self) -> bool:
        return bool(self.decisions or self.actions or any(getattr(item, "current", None) for item in self.agenda))

    @property
    def minutes_state(self) -> str:
        return integrity.minutes_state_label(self.meeting, self.check)


def approval_of(user: Any, meeting: Meeting) -> tuple[MinutesApproval | None, Meeting | None]:
    """The approval of a meeting's minutes (loaded with the meeting by `meetings`) and the meeting that gave it."""
    try:
        approval = meeting.approval
    except MinutesApproval.DoesNotExist:
        return None, None
    at = approval.approved_at
    return approval, at if policy.is_visible(user, at) else None


def _neighbours(user: Any, meeting: Meeting) -> tuple[Meeting | None, Meeting | None]:
    """The series' meetings before and after this one (as services.previous_meeting/next_meeting), in one query
    that reads those two rows only (a series can hold hundreds of meetings, issue 20)."""
    if meeting.series_id is None:
        return None, None
    others = (
        Meeting.objects.filter(series_id=meeting.series_id)
        .exclude(state=Meeting.State.CANCELLED)
        .exclude(pk=meeting.pk)
    )
    before = others.filter(starts_at__lt=meeting.starts_at).order_by("-starts_at").values("pk")[:1]
    after = others.filter(starts_at__gt=meeting.starts_at).order_by("starts_at").values("pk")[:1]
    found = list(Meeting.objects.filter(Q(pk__in=before) | Q(pk__in=after)))
    previous = next((m for m in found if m.starts_at < meeting.starts_at), None)
    following = next((m for m in found if m.starts_at > meeting.starts_at), None)
    return (
        previous if previous is not None and policy.is_visible(user, previous) else None,
        following if following is not None and policy.is_visible(user, following) else None,
    )


def _agenda(user: Any, meeting: Meeting, *, with_minutes: bool) -> list[AgendaItem]:
    items = meeting.agenda.select_related("owner", _ACTIVITY, "carried_from__meeting", "approves").order_by(
        "position", "pk"
    )
    if with_minutes:
        items = items.prefetch_related(
            Prefetch(
                "minutes_revisions",
                queryset=MinutesRevision.objects.select_related("author__person").order_by("number"),
                to_attr="revisions",
            )
        )
    agenda = list(items)
    for item in agenda:
        revisions: list[MinutesRevision] = getattr(item, "revisions", []) if with_minutes else []
        item.revisions = revisions  # type: ignore[attr-defined]
        item.current = revisions[-1] if revisions else None  # type: ignore[attr-defined]
        _visible_activity(user, item)
        earlier = item.carried_from.meeting if item.carried_from_id and item.carried_from else None
        item.carried_from_meeting = (  # type: ignore[attr-defined]
            earlier if earlier is not None and policy.is_visible(user, earlier) else None
        )
        approves = item.approves
        item.shown_approves = (  # type: ignore[attr-defined]
            approves if approves is not None and policy.is_visible(user, approves) else None
        )
    return agenda


def _actions(user: Any, meeting: Meeting, *, drafts: bool, own: bool) -> tuple[list[ActionItem], list[ActionItem]]:
    """In one query: the open actions of earlier meetings of the series (services.open_actions_before), kept to the
    meetings the user may see and whose minutes they may read; and, with `own`, the meeting's own actions."""
    wanted = Q(meeting=meeting) if own else Q(pk__in=[])
    if meeting.series_id is not None:
        wanted |= Q(meeting__series_id=meeting.series_id, meeting__starts_at__lt=meeting.starts_at) & (
            Q(state=ActionItem.State.OPEN) | Q(closed_at_meeting=meeting)
        )
    rows = list(
        ActionItem.objects.filter(wanted)
        .filter(meeting__in=policy.visible_to(user, Meeting))
        .select_related("item", "owner", "owner_organisation", "meeting", "closed_at_meeting", _ACTIVITY)
        .order_by("due_on", "pk")
    )
    for row in rows:
        _visible_activity(user, row)
    earlier = [
        row
        for row in rows
        if row.meeting_id != meeting.pk and (drafts or row.meeting.minutes_state != Meeting.MinutesState.DRAFT)
    ]
    return earlier, [row for row in rows if row.meeting_id == meeting.pk]


def meeting_page(user: Any, meeting: Meeting, *, with_people: bool = True) -> MeetingPage:
    """Everything a meeting's page shows, in a handful of queries; minutes left out where the user may not read
    them yet (drafts). Without `with_people`, no attendance or invitations (the minutes page)."""
    drafts = policy.can(user, "meetings.view_draft_minutes")
    show_minutes = drafts or meeting.minutes_state != Meeting.MinutesState.DRAFT
    decisions: list[Decision] = []
    if show_minutes:
        decisions = list(meeting.decisions.select_related("item", _ACTIVITY).order_by("pk"))
        for decision in decisions:
            _visible_activity(user, decision)
    open_actions, actions = _actions(user, meeting, drafts=drafts, own=show_minutes)
    attendance: list[Attendance] = []
    invitations: list[Invitation] = []
    invitation = None
    if with_people:
        # Who recorded a row is named beside a change made after the minutes were approved.
        attendance = list(meeting.attendance.select_related("organisation", "person", "recorded_by__person"))
        person_id = policy.actor_for(user).person_id
        if policy.can(user, "meetings.manage"):
            invitations = list(meeting.invitations.select_related("person", "organisation"))
            invitation = next((i for i in invitations if i.person_id == person_id), None)
        elif person_id is not None:
            invitation = meeting.invitations.filter(person_id=person_id).first()
    previous, following = _neighbours(user, meeting)
    approval, approved_at = approval_of(user, meeting)
    agenda = _agenda(user, meeting, with_minutes=show_minutes)
    check = None
    if approval is not None or meeting.minutes_state == Meeting.MinutesState.APPROVED:
        shown = (
            integrity.minutes_digest(_item_minutes(agenda), decisions, actions)
            if show_minutes
            else services.minutes_hash(meeting)
        )
        check = integrity.check_approval(
            approval, shown_hash=shown, recorded=integrity.recorded_approvals([meeting.pk]).get(meeting.pk, [])
        )
    gone = integrity.mark_later_attendance(approval, attendance) if approval is not None and with_people else []
    series = meeting.series
    return MeetingPage(
        meeting=meeting,
        series=series if series is not None and policy.is_visible(user, series) else None,
        agenda=agenda,
        open_actions=open_actions,
        decisions=decisions,
        actions=actions,
        attendance=attendance,
        invitation=invitation,
        invitations=invitations,
        previous=previous,
        following=following,
        show_minutes=show_minutes,
        approval=approval,
        approved_at=approved_at,
        check=check,
        attendance_counts=_counts(Attendance.Status.choices, (row.status for row in attendance)),
        attendance_gone=_gone(gone),
        reply_counts=_counts(Invitation.Reply.choices, (row.reply for row in invitations)),
    )


def _item_minutes(agenda: list[AgendaItem]) -> list[integrity.ItemMinutes]:
    return [(item, getattr(item, "current", None)) for item in agenda]


def _gone(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attendance frozen at approval that no row stands for any more, with its member and person to name."""
    if not entries:
        return []
    organisations = Organisation.objects.in_bulk([e["organisation"] for e in entries if e["organisation"]])
    people = Person.objects.in_bulk([e["person"] for e in entries if e["person"]])
    return [
        {**e, "organisation": organisations.get(e["organisation"]), "person": people.get(e["person"])} for e in entries
    ]


def _counts(choices: list[tuple[str, Any]], values: Any) -> dict[str, int]:
    """Counts by label, in the order of the choices, leaving out the empty ones."""
    counted = Counter(values)
    return {str(label): counted[value] for value, label in choices if counted[value]}


# --- A series' compiled minutes ---------------------------------------------------------------------------------


@dataclass
class MeetingMinutes:
    meeting: Meeting
    agenda: list[AgendaItem]
    decisions: list[Decision]
    actions: list[ActionItem]
    approval: MinutesApproval | None
    approved_at: Meeting | None
    check: integrity.ApprovalCheck | None = None

    @property
    def minutes_state(self) -> str:
        return integrity.minutes_state_label(self.meeting, self.check)


def compiled_minutes(user: Any, series: MeetingSeries) -> list[MeetingMinutes]:
    """The minutes of every meeting of a series the user may read, oldest first: circulated and approved minutes,
    and drafts too for those who may see drafts. Five queries whatever the length of the series."""
    states = [Meeting.MinutesState.CIRCULATED, Meeting.MinutesState.APPROVED]
    if policy.can(user, "meetings.view_draft_minutes"):
        states.append(Meeting.MinutesState.DRAFT)
    found = list(series_meetings(user, series).filter(minutes_state__in=states).exclude(state=Meeting.State.CANCELLED))
    if not found:
        return []
    revisions = Prefetch("minutes_revisions", queryset=MinutesRevision.objects.order_by("number"), to_attr="revisions")
    agenda_of: dict[int, list[AgendaItem]] = {m.pk: [] for m in found}
    for item in (
        AgendaItem.objects.filter(meeting__in=found)
        .select_related("owner", _ACTIVITY)
        .prefetch_related(revisions)
        .order_by("position", "pk")
    ):
        item.current = item.revisions[-1] if item.revisions else None  # type: ignore[attr-defined]
        _visible_activity(user, item)
        agenda_of[item.meeting_id].append(item)
    decisions_of: dict[int, list[Decision]] = {m.pk: [] for m in found}
    for decision in Decision.objects.filter(meeting__in=found).select_related("item", _ACTIVITY).order_by("pk"):
        _visible_activity(user, decision)
        decisions_of[decision.meeting_id].append(decision)
    actions_of: dict[int, list[ActionItem]] = {m.pk: [] for m in found}
    for action in ActionItem.objects.filter(meeting__in=found).select_related(
        "item", "owner", "owner_organisation", _ACTIVITY
    ):
        _visible_activity(user, action)
        actions_of[action.meeting_id].append(action)
    compiled = [
        MeetingMinutes(m, agenda_of[m.pk], decisions_of[m.pk], actions_of[m.pk], *approval_of(user, m)) for m in found
    ]
    approved = [
        entry for entry in compiled if entry.approval or entry.meeting.minutes_state == Meeting.MinutesState.APPROVED
    ]
    recorded = integrity.recorded_approvals(entry.meeting.pk for entry in approved) if approved else {}
    for entry in approved:
        shown = integrity.minutes_digest(_item_minutes(entry.agenda), entry.decisions, entry.actions)
        entry.check = integrity.check_approval(
            entry.approval, shown_hash=shown, recorded=recorded.get(entry.meeting.pk, [])
        )
    return compiled


# --- Attendance -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceLine:
    key: str  # the form field: "org-12" or "person-7"
    label: str
    organisation: Organisation | None = None
    person: Person | None = None
    status: str = ""  # as recorded; "" before anything is


def attendance_lines(user: Any, meeting: Meeting) -> tuple[list[AttendanceLine], list[AttendanceLine]]:
    """The member states and the people whose attendance a meeting records, each only where the user may see it:
    the series' participants, those invited and anyone already recorded."""
    recorded = list(meeting.attendance.select_related("organisation", "person"))
    invited = [
        (invitation.person, invitation.organisation)
        for invitation in meeting.invitations.select_related("person", "organisation")
    ]
    organisations: dict[int, Organisation] = {}
    series = meeting.series
    if series is not None and (series.participation != MeetingSeries.Participation.BODY or meeting.body_id):
        for participant in services.participants_of(
            participation=series.participation, body=meeting.body, on=meeting.starts_at.date()
        ):
            if participant.organisation is not None:
                organisations[participant.organisation.pk] = participant.organisation
    persons: dict[int, tuple[Person, Organisation | None]] = {}
    for person, organisation in invited:
        persons[person.pk] = (person, organisation)
        if organisation is not None and organisation.kind == Organisation.Kind.GOVERNMENT:
            organisations[organisation.pk] = organisation
    member_status: dict[int, str] = {}
    person_status: dict[int, str] = {}
    for row in recorded:
        if row.person is not None:
            persons.setdefault(row.person.pk, (row.person, row.organisation))
            person_status[row.person.pk] = row.status
        elif row.organisation is not None:
            organisations[row.organisation.pk] = row.organisation
            member_status[row.organisation.pk] = row.status
    member_lines = [
        AttendanceLine(f"org-{org.pk}", str(org), organisation=org, status=member_status.get(org.pk, ""))
        for org in sorted(organisations.values(), key=lambda org: org.name)
        if policy.is_visible(user, org)
    ]
    person_lines = [
        AttendanceLine(
            f"person-{person.pk}",
            f"{person} ({org})" if org is not None and policy.is_visible(user, org) else str(person),
            organisation=org,
            person=person,
            status=person_status.get(person.pk, ""),
        )
        for person, org in sorted(persons.values(), key=lambda pair: pair[0].full_name)
        if policy.is_visible(user, person)
    ]
    return member_lines, person_lines


# --- What the viewer may do on a page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexActions:
    """What the meetings index offers this viewer: the links lead only to what the viewer may open (the compliance
    table is the governments', PoA 1B.2)."""

    manage: bool
    see_calls: bool
    feed: bool


def index_actions(user: Any) -> IndexActions:
    return IndexActions(
        manage=policy.can(user, "meetings.manage"),
        see_calls=policy.can(user, "meetings.view_compliance"),
        feed=policy.can(user, "meetings.calendar"),
    )


@dataclass(frozen=True)
class MeetingActions:
    """What a meeting's page offers this viewer: the managers' forms, and the previous meeting whose circulated
    minutes this one may approve."""

    manage: bool
    approvable: Meeting | None


def meeting_actions(user: Any, page: MeetingPage) -> MeetingActions:
    manage = policy.can(user, "meetings.manage")
    previous = page.previous
    circulated = previous is not None and previous.minutes_state == Meeting.MinutesState.CIRCULATED
    return MeetingActions(manage=manage, approvable=previous if manage and circulated else None)


# --- The quarterly calls' compliance table (PoA 1B.2) ------------------------------------------------------------
#
# What is shown of a call follows one decision: *that* a member held its call in a quarter, and on which day, is not
# sensitive — it is what the compliance table exists to show, to every member government. What was said (posts,
# topics, proposed actions, asks) is the call's content, and reaches only those who may read the call
# (`policy.visible_to`). A call the viewer may not read is therefore counted and dated as "recorded", and nothing more.


@dataclass(frozen=True)
class CallFact:
    """A call as the table shows it: its day always; the call itself (posts, a link to it) only if readable."""

    held_on: dt.date
    call: QuarterlyCall | None


@dataclass
class MemberRow:
    member: Organisation
    calls: list[CallFact] = field(default_factory=list)

    @property
    def recorded(self) -> bool:
        return bool(self.calls)


@dataclass
class Compliance:
    year: int
    quarter: int
    first: dt.date
    last: dt.date
    rows: list[MemberRow]
    calls: list[QuarterlyCall]  # every call of the quarter the viewer may read, members' or not
    hidden: int  # calls of the quarter the viewer may not read

    @property
    def recorded(self) -> int:
        return sum(row.recorded for row in self.rows)

    @property
    def label(self) -> str:
        return f"Q{self.quarter} {self.year}"

    @property
    def previous(self) -> tuple[int, int]:
        return (self.year, self.quarter - 1) if self.quarter > 1 else (self.year - 1, 4)

    @property
    def next(self) -> tuple[int, int]:
        return (self.year, self.quarter + 1) if self.quarter < 4 else (self.year + 1, 1)


def _readable_calls(user: Any) -> QuerySet[QuarterlyCall]:
    posts = policy.visible_to(user, Office).order_by("city", "name")
    return (
        policy.visible_to(user, QuarterlyCall)
        .select_related("organisation", "recorded_by__person")
        .prefetch_related(Prefetch("posts", queryset=posts))
        .order_by("organisation__name", "held_on", "pk")
    )


def compliance(user: Any, *, year: int, quarter: int) -> Compliance:
    """Every member government on the quarter's last day, with the calls it recorded in the quarter (5 queries)."""
    first, last = quarter_bounds(year, quarter)
    members = list(participants_on(user, on=last).filter(kind=Organisation.Kind.GOVERNMENT))
    readable = list(_readable_calls(user).filter(held_on__gte=first, held_on__lte=last))
    by_pk = {call.pk: call for call in readable}
    # Only the fact of each call (member, day) is read past the policy here: see the comment above.
    facts = (
        QuarterlyCall.objects.filter(held_on__gte=first, held_on__lte=last, organisation__in=members)
        .order_by("held_on", "pk")
        .values_list("pk", "organisation_id", "held_on")
    )
    rows = {member.pk: MemberRow(member) for member in members}
    for pk, organisation_id, held_on in facts:
        rows[organisation_id].calls.append(CallFact(held_on=held_on, call=by_pk.get(pk)))
    hidden = QuarterlyCall.objects.filter(held_on__gte=first, held_on__lte=last).count() - len(readable)
    return Compliance(
        year=year, quarter=quarter, first=first, last=last, rows=list(rows.values()), calls=readable, hidden=hidden
    )
