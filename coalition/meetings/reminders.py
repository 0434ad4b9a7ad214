"""Reminders for the weekly digest (PoA 1B.2, 3B.2): only to those who have not acted, batched into the one weekly
email (`coalition.core.digest`, sent by `coalition.programme.tasks`), never an email of their own.

- rsvp: an invitation that went out, to a meeting in the next three weeks, still without a reply;
- minutes: for the organiser who may manage meetings, minutes still in draft two weeks after the meeting, and
  circulated minutes whose approval was not recorded at the next meeting of the series, which has taken place;
- call: for a member's focal points, no quarterly update call recorded once six weeks of the quarter have gone;
- action: for the person who owns it, every open action item of a meeting whose minutes they may read, overdue first,
  then by due date, those without one last (until the notifications service, issue 19, tells them as well).

Each reminder disappears as soon as the person acts: the lists are computed afresh every week from the records.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.core import digest, policy, wallclock
from coalition.core.digest import Reminder
from coalition.directory.models import Organisation, Participation, Person, Position
from coalition.directory.queries import today, with_status_on
from coalition.meetings.models import ActionItem, Invitation, Meeting, QuarterlyCall, quarter_bounds, quarter_of

__all__ = ["Reminder", "recipients", "register_digest_section", "reminders_for"]

RSVP_WITHIN = dt.timedelta(days=21)
DRAFT_MINUTES_AFTER = dt.timedelta(days=14)
CALL_GRACE = dt.timedelta(weeks=6)


def register_digest_section() -> None:
    """Called from MeetingsConfig.ready(): the "Meetings" section of the weekly digest."""
    digest.register_section("meetings", gettext_lazy("Meetings"), reminders_for, recipients=recipients)


def reminders_for(person: Person, account: Any, on: dt.date) -> list[Reminder]:
    """What `person` has left undone in meetings on `on`, as far as their own account may see."""
    if account is None or not account.is_active:
        return []
    at = _instant(on)
    return [
        *_rsvp_reminders(person, account, at),
        *_minutes_reminders(account, at),
        *_call_reminders(person, account, on),
        *_action_reminders(person, account, on),
    ]


def recipients(on: dt.date) -> set[int]:
    """The people who may have a meetings reminder on `on` (a superset; `reminders_for` decides), in five queries."""
    at = _instant(on)
    ids = set(_unanswered(at).values_list("person_id", flat=True))
    organisers: set[int] = set()
    for meeting, _due_at in _pending_minutes(Meeting.objects.all(), at):
        organisers.add(meeting.organiser_id)
        if meeting.series is not None:
            organisers.add(meeting.series.organiser_id)
    User = get_user_model()
    ids |= set(
        User.objects.filter(pk__in=organisers, person__isnull=False, is_active=True).values_list("person_id", flat=True)
    )
    members = _members_without_call(Organisation.objects.all(), on)
    if members is not None:
        ids |= set(
            Position.objects.filter(
                Position.current_q(on), kind=Position.Kind.FOCAL_POINT, organisation__in=members
            ).values_list("person_id", flat=True)
        )
    ids |= set(
        ActionItem.objects.filter(state=ActionItem.State.OPEN, owner__isnull=False).values_list("owner_id", flat=True)
    )
    return ids


# --- When ---------------------------------------------------------------------------------------------------------


def _instant(on: dt.date) -> dt.datetime:
    """The moment the digest is judged at: now on today's digest, the start of the day (UTC) on any other day."""
    return timezone.now() if on == today() else dt.datetime.combine(on, dt.time(), tzinfo=dt.UTC)


def _when(meeting: Meeting, person: Person) -> str:
    zone = person.time_zone or "UTC"
    local = meeting.starts_at.astimezone(ZoneInfo(zone))
    return f"{wallclock.clock_with_offset(local, f'{local:%d %b %Y, %H:%M}')} ({zone})"


# --- RSVP ---------------------------------------------------------------------------------------------------------


def _unanswered(at: dt.datetime) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        reply=Invitation.Reply.NEEDS_ACTION,
        sent_sequence__isnull=False,
        cancelled_sent_at__isnull=True,
        meeting__state=Meeting.State.SCHEDULED,
        meeting__starts_at__gte=at,
        meeting__starts_at__lt=at + RSVP_WITHIN,
    )


def _rsvp_reminders(person: Person, account: Any, at: dt.datetime) -> list[Reminder]:
    invitations = (
        _unanswered(at)
        .filter(person=person, meeting__in=policy.visible_to(account, Meeting))
        .select_related("meeting")
        .order_by("meeting__starts_at")
    )
    return [
        Reminder(
            kind="rsvp",
            text=_("Reply to the invitation to “%(title)s” on %(when)s.")
            % {"title": invitation.meeting.title, "when": _when(invitation.meeting, person)},
            path=reverse("meetings:meeting", args=[invitation.meeting_id]),
            subject=invitation.meeting,
        )
        for invitation in invitations
    ]


# --- Minutes ------------------------------------------------------------------------------------------------------


# What a minutes reminder says of a meeting (its title, when it started and ended, in its host's zone): read alone,
# not the meeting's every field (the home's section, issue 20).
_SAID = ("pk", "title", "starts_at", "duration_minutes", "host_time_zone")


def _pending_minutes(meetings: QuerySet[Meeting], at: dt.datetime) -> list[tuple[Meeting, Meeting | None]]:
    """Minutes nobody has moved on: (meeting, None) for a draft two weeks after the meeting ended; (meeting, the
    next meeting of its series) for circulated minutes whose approval that meeting, already over, did not record."""
    following = (
        Meeting.objects.filter(series_id=OuterRef("series_id"), starts_at__gt=OuterRef("starts_at"))
        .exclude(state=Meeting.State.CANCELLED)
        .order_by("starts_at")
    )
    candidates = list(
        meetings.filter(state=Meeting.State.SCHEDULED)
        .filter(
            Q(minutes_state=Meeting.MinutesState.DRAFT, starts_at__lt=at - DRAFT_MINUTES_AFTER)
            | Q(minutes_state=Meeting.MinutesState.CIRCULATED, series__isnull=False)
        )
        .annotate(next_id=Subquery(following.values("pk")[:1]))
        .select_related("series")
        .only(*_SAID, "minutes_state", "organiser_id", "series__organiser_id")
        .order_by("starts_at")
    )
    nexts = Meeting.objects.only(*_SAID).in_bulk({m.next_id for m in candidates if m.next_id})
    pending: list[tuple[Meeting, Meeting | None]] = []
    for meeting in candidates:
        if meeting.minutes_state == Meeting.MinutesState.DRAFT:
            if meeting.ends_at <= at - DRAFT_MINUTES_AFTER:
                pending.append((meeting, None))
            continue
        due_at = nexts.get(meeting.next_id)
        if due_at is not None and due_at.ends_at <= at:
            pending.append((meeting, due_at))
    return pending


def _minutes_reminders(account: Any, at: dt.datetime) -> list[Reminder]:
    if not policy.can(account, "meetings.manage"):
        return []
    theirs = policy.visible_to(account, Meeting).filter(Q(organiser=account) | Q(series__organiser=account))
    reminders = []
    for meeting, due_at in _pending_minutes(theirs, at):
        if due_at is None:
            text = _("Write up and circulate the minutes of “%(title)s” of %(date)s: they are still a draft.") % {
                "title": meeting.title,
                "date": f"{meeting.local_start():%d %b %Y}",
            }
            path = reverse("meetings:minutes", args=[meeting.pk])
        else:
            text = _(
                "Record the approval of the minutes of “%(title)s” of %(date)s: they were circulated, and "
                "“%(next)s” took place on %(next_date)s without recording it."
            ) % {
                "title": meeting.title,
                "date": f"{meeting.local_start():%d %b %Y}",
                "next": due_at.title,
                "next_date": f"{due_at.local_start():%d %b %Y}",
            }
            path = reverse("meetings:meeting", args=[due_at.pk])
        reminders.append(Reminder(kind="minutes", text=text, path=path, subject=meeting))
    return reminders


# --- Quarterly calls ----------------------------------------------------------------------------------------------


def _members_without_call(organisations: QuerySet[Organisation], on: dt.date) -> QuerySet[Organisation] | None:
    """The member governments among `organisations` that recorded no call in `on`'s quarter, once six weeks of it
    have gone (None before). A call counts whatever its classification: the fact of a call is not sensitive."""
    year, quarter = quarter_of(on)
    first, last = quarter_bounds(year, quarter)
    if on - first <= CALL_GRACE:
        return None
    called = QuarterlyCall.objects.filter(organisation=OuterRef("pk"), held_on__gte=first, held_on__lte=last)
    return (
        with_status_on(organisations.filter(kind=Organisation.Kind.GOVERNMENT), on)
        .filter(status=Participation.Status.MEMBER)  # type: ignore[misc]
        .filter(~Exists(called))
        .order_by("name")
    )


def _call_reminders(person: Person, account: Any, on: dt.date) -> list[Reminder]:
    focal = Position.objects.filter(Position.current_q(on), person=person, kind=Position.Kind.FOCAL_POINT)
    members = _members_without_call(Organisation.objects.filter(pk__in=focal.values("organisation_id")), on)
    if members is None:
        return []
    year, quarter = quarter_of(on)
    return [
        Reminder(
            kind="call",
            text=_(
                "%(member)s has recorded no quarterly update call for Q%(quarter)d %(year)d: record the "
                "capital–embassy call once it has been held."
            )
            % {"member": member, "quarter": quarter, "year": year},
            path=f"{reverse('meetings:record_call')}?organisation={member.pk}",
            subject=member,
        )
        for member in members
        if policy.can(account, "meetings.record_call", member)
    ]


# --- Action items -------------------------------------------------------------------------------------------------


def _action_reminders(person: Person, account: Any, on: dt.date) -> list[Reminder]:
    """The open actions `person` owns, as the meeting pages show them to their account: of meetings they may see,
    and not of minutes still in draft unless they may read drafts. Overdue first, then soonest due, undated last."""
    actions = ActionItem.objects.filter(
        owner=person, state=ActionItem.State.OPEN, meeting__in=policy.visible_to(account, Meeting)
    ).select_related("meeting")
    if not policy.can(account, "meetings.view_draft_minutes"):
        actions = actions.exclude(meeting__minutes_state=Meeting.MinutesState.DRAFT)
    ordered = sorted(actions, key=lambda a: (a.due_on is None, a.due_on or dt.date.max, a.meeting.starts_at, a.pk))
    return [_action_reminder(action, on) for action in ordered]


def _action_reminder(action: ActionItem, on: dt.date) -> Reminder:
    values = {"text": action.text[:200], "title": action.meeting.title}
    if action.due_on is None:
        text = _("Action from “%(title)s”: %(text)s (no due date).") % values
    elif action.due_on < on:
        text = _("Overdue since %(due)s — action from “%(title)s”: %(text)s") % {**values, "due": _day(action.due_on)}
    else:
        text = _("Due %(due)s — action from “%(title)s”: %(text)s") % {**values, "due": _day(action.due_on)}
    return Reminder(
        kind="action", text=text, path=reverse("meetings:meeting", args=[action.meeting_id]), subject=action.meeting
    )


def _day(on: dt.date) -> str:
    return f"{on:%d %b %Y}"
