"""Every write to meetings: one function per use case, access first, one transaction, the ledger.

Times: a meeting's start is stored in UTC. A series without rotation keeps a fixed wall-clock time in its host's
zone, so its UTC start moves with the host's summer time; a series with rotation takes each date's UTC start from
`rotation.plan_rotation`. Either way the instant is fixed once, and every reader converts it to their own zone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django_tasks import task

from coalition.core import ledger, policy, wallclock
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.policy import READERS, Classification
from coalition.directory.models import Body, Office, Organisation, Participation, Person, Position, zone_names
from coalition.directory.queries import status_of, today, troika_on, with_status_on
from coalition.meetings import integrity, rotation
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
    quarter_of,
)

log = logging.getLogger(__name__)

MAX_MEETINGS_PER_SERIES = 60
# A meeting approves earlier minutes while it is under way: it may have started, or start within this margin.
APPROVAL_MARGIN = dt.timedelta(hours=24)


# --- Series and their dates -------------------------------------------------------------------------------------


def cadence_dates(
    *,
    frequency: str,
    first_on: dt.date,
    count: int,
    interval: int = 1,
    weekday: int | None = None,
    week_of_month: int | None = None,
) -> list[dt.date]:
    """The dates of a series (RFC 5545 recurrence through dateutil): "monthly, second Tuesday" is
    frequency=monthly, weekday=1, week_of_month=2; monthly without a weekday repeats the first date's day."""
    if not 1 <= count <= MAX_MEETINGS_PER_SERIES:
        raise InvalidInput(f"A series has between 1 and {MAX_MEETINGS_PER_SERIES} meetings.", field="count")
    if not 1 <= interval <= 12:
        raise InvalidInput("Repeat every 1 to 12 periods.", field="interval")
    if weekday is not None and weekday not in range(7):
        raise InvalidInput("Choose a weekday from Monday to Sunday.", field="weekday")
    if week_of_month is not None and week_of_month not in (1, 2, 3, 4, -1):
        raise InvalidInput("Choose the first, second, third, fourth or last week.", field="week_of_month")
    start = dt.datetime.combine(first_on, dt.time())
    options: dict[str, Any] = {"dtstart": start, "count": count, "interval": interval}
    if frequency == MeetingSeries.Frequency.WEEKLY:
        if week_of_month is not None:
            raise InvalidInput("A weekly series has no week of the month.", field="week_of_month")
        rule = rrule.rrule(rrule.WEEKLY, byweekday=weekday if weekday is not None else first_on.weekday(), **options)
    elif frequency in (MeetingSeries.Frequency.MONTHLY, MeetingSeries.Frequency.QUARTERLY):
        if frequency == MeetingSeries.Frequency.QUARTERLY:
            options["interval"] = 3 * interval
        if week_of_month is not None and weekday is None:
            raise InvalidInput("Say which weekday of that week, e.g. the second Tuesday.", field="weekday")
        if weekday is not None:
            nth = week_of_month if week_of_month is not None else 1
            rule = rrule.rrule(rrule.MONTHLY, byweekday=rrule.weekday(weekday, nth), **options)
        else:
            if first_on.day > 28:
                raise InvalidInput(
                    "A monthly series on a fixed day starts on the 1st to the 28th, or choose a weekday.",
                    field="first_on",
                )
            rule = rrule.rrule(rrule.MONTHLY, bymonthday=first_on.day, **options)
    else:
        raise InvalidInput("Choose weekly, monthly or quarterly.", field="frequency")
    return [moment.date() for moment in rule]


def fixed_local_starts(dates: Sequence[dt.date], local_start: dt.time, zone: str) -> list[dt.datetime]:
    """The same wall-clock time in the host's zone on each date, as UTC instants (moves with summer time).

    A wall-clock time skipped by a spring-forward change is read with the offset before the change (PEP 495
    fold=0), i.e. an hour later on the new clock; a time repeated by a fall-back change is its first occurrence.
    Both are RFC 5545's reading, so calendar clients agree."""
    tz = ZoneInfo(zone)
    return [dt.datetime.combine(day, local_start, tzinfo=tz).astimezone(dt.UTC) for day in dates]


@dataclass(frozen=True)
class SeriesParticipant:
    key: str  # the member's name, or a person's name where they sit in their own right
    tz: str
    organisation: Organisation | None = None
    person: Person | None = None


def participants_of(
    *, participation: str, body: Body | None, on: dt.date, host: Organisation | None = None
) -> list[SeriesParticipant]:
    """Who takes part in a series on a date, each with the zone their burden is counted in: a member's capital's
    zone, or a person's own zone where they sit for no government. Those without a known zone are left out, since
    no burden can be counted for them; a government host is added when it is not among them."""
    found = [entry for entry in _participants(participation=participation, body=body, on=on) if entry.tz]
    if host is not None and host.kind == Organisation.Kind.GOVERNMENT and all(e.organisation != host for e in found):
        entry = _member(host)
        if entry.tz:
            found.append(entry)
    return found


def _participants(*, participation: str, body: Body | None, on: dt.date) -> list[SeriesParticipant]:
    """Everyone taking part on a date, with or without a known zone."""
    found: list[SeriesParticipant]
    if participation == MeetingSeries.Participation.MEMBERS:
        members = with_status_on(Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT), on).filter(
            status=Participation.Status.MEMBER  # type: ignore[misc]
        )
        found = [_member(org) for org in members.select_related("country").order_by("name")]
    elif participation == MeetingSeries.Participation.TROIKA:
        troika = troika_on(on)
        found = [_member(term.organisation) for term in (troika.past, troika.current, troika.next) if term]
    elif participation == MeetingSeries.Participation.BODY:
        if body is None:
            raise InvalidInput("A body's series needs the body.", field="body")
        positions = (
            Position.objects.filter(Position.current_q(on), body=body)
            .select_related("person", "organisation__country")
            .order_by("organisation__name", "person__full_name")
        )
        found, seen = [], set()
        for position in positions:
            org = position.organisation
            if org is not None and org.kind == Organisation.Kind.GOVERNMENT and org.country and org.country.capital_tz:
                entry = _member(org)
            else:
                entry = SeriesParticipant(
                    key=position.person.full_name, tz=position.person.time_zone, person=position.person
                )
            if entry.key not in seen:
                seen.add(entry.key)
                found.append(entry)
    else:
        raise InvalidInput("Choose who takes part.", field="participation")
    return found


def _member(org: Organisation) -> SeriesParticipant:
    return SeriesParticipant(
        key=org.short_name or org.name, tz=org.country.capital_tz if org.country else "", organisation=org
    )


def _classification(by: Any, classification: str) -> None:
    actor = policy.actor_for(by)
    if classification not in Classification.values:
        raise InvalidInput("Choose a classification.", field="classification")
    if classification == Classification.RESTRICTED:
        raise InvalidInput(
            "Meetings are public, coalition or members; restricted meetings are not offered.", field="classification"
        )
    if classification not in actor.readable_classifications():
        raise InvalidInput("Choose a classification you can read yourself.", field="classification")


def _zone(name: str, field: str) -> str:
    """An IANA zone name. ZoneInfo alone would also open "localtime" or "posix/Europe/Paris", which are files of
    the server rather than names a calendar or another reader understands."""
    if not name:
        raise InvalidInput("Give a time zone.", field=field)
    if name not in zone_names():
        raise InvalidInput(f"{name!r} is not a time zone (use a name such as Europe/Amsterdam).", field=field)
    return name


def _agenda_from_template(meeting: Meeting, template: str) -> None:
    titles = [line.strip(" -*\t") for line in template.splitlines()]
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=(n + 1) * 10, title=title[:300])
        for n, title in enumerate(t for t in titles if t)
    )


def _rotation_record(
    plan: rotation.RotationPlan, participants: list[SeriesParticipant], options: dict[str, Any]
) -> dict[str, Any]:
    """What the series page shows of its rotation: the explanation and each member's ledger beside the fixed slot."""
    fixed = {ledger.participant.key: ledger for ledger in plan.fixed.ledgers}
    rows = []
    for entry in sorted(plan.rotation.ledgers, key=lambda ledger: (-ledger.total, ledger.participant.key)):
        key = entry.participant.key
        rows.append(
            {
                "key": key,
                "tz": entry.participant.tz,
                "burden": entry.total,
                "nights": entry.nights,
                "fixed_burden": fixed[key].total,
                "fixed_nights": fixed[key].nights,
                "categories": [e.category.value for e in entry.entries],
            }
        )
    return {
        "explanation": plan.explanation,
        "solver": plan.solver,
        "solve_seconds": round(plan.solve_seconds, 3),
        "worst_off": plan.rotation.worst_off,
        "worst_off_keys": list(plan.rotation.worst_off_keys),
        "total": plan.rotation.total,
        "fixed_time_utc": plan.fixed_time.strftime("%H:%M"),
        "fixed_worst_off": plan.fixed.worst_off,
        "fixed_total": plan.fixed.total,
        "fixed_meets_constraints": plan.fixed_meets_constraints,
        "participants": len(participants),
        "options": options,
        "ledger": rows,
    }


def create_series(
    *,
    by: Any,
    title: str,
    first_on: dt.date,
    count: int,
    host_time_zone: str,
    frequency: str = MeetingSeries.Frequency.MONTHLY,
    interval: int = 1,
    weekday: int | None = None,
    week_of_month: int | None = None,
    local_start: dt.time = dt.time(14, 0),
    duration_minutes: int = 60,
    participation: str = MeetingSeries.Participation.MEMBERS,
    body: Body | None = None,
    host_organisation: Organisation | None = None,
    virtual: bool = True,
    location: str = "",
    agenda_template: str = "",
    classification: str = Classification.MEMBERS,
    rotate: bool = False,
    host_in_working_hours: bool = False,
    max_nights_per_quarter: int | None = None,
    keep_weekday: bool = False,
    time_limit_seconds: float | None = None,
) -> MeetingSeries:
    """Create a series and its meetings; with `rotate`, each meeting's time comes from the fair rotation (3B.3).
    A rotation proven impossible raises `rotation.RotationImpossible` naming the constraint, and nothing is saved;
    one neither found nor proven impossible in the request's time (`RotationUndecided`) goes to the worker.

    A small rotation (up to MEETINGS_ROTATION_IN_REQUEST_SEATS meetings × participants) is solved here for up to
    MEETINGS_ROTATION_IN_REQUEST_SECONDS; a larger one, or one the solver has not proven optimal by then (a year of
    weekly meetings took 9.9 s), is handed to the task worker, and the series' meetings are made when it finishes
    (`finish_queued_rotation`). A caller naming `time_limit_seconds` (the demo, scripts) waits for
    the solver instead and keeps what it found."""
    policy.require(by, "meetings.manage")
    title = title.strip()
    if not title:
        raise InvalidInput("Give the series a title.", field="title")
    _classification(by, classification)
    _zone(host_time_zone, "host_time_zone")
    if not 15 <= duration_minutes <= 600:
        raise InvalidInput("A meeting lasts 15 minutes to 10 hours.", field="duration_minutes")
    if participation not in MeetingSeries.Participation.values:
        raise InvalidInput("Choose who takes part.", field="participation")
    if body is not None and not policy.is_visible(by, body):
        raise InvalidInput("No such body that you can see.", field="body")
    if participation == MeetingSeries.Participation.BODY and body is None:
        raise InvalidInput("A body's series needs the body.", field="body")
    _visible_or_none(by, host_organisation, "host_organisation", "organisation")
    if host_in_working_hours and host_organisation is None:
        raise InvalidInput("Name the host to keep the host inside working hours.", field="host_organisation")
    if (max_nights_per_quarter is not None or host_in_working_hours or keep_weekday) and not rotate:
        raise InvalidInput("Rotation constraints apply only to a series with fair rotation.", field="rotate")
    if keep_weekday and weekday is None:
        raise InvalidInput("Choose the weekday to keep.", field="weekday")
    dates = cadence_dates(
        frequency=frequency,
        first_on=first_on,
        count=count,
        interval=interval,
        weekday=weekday,
        week_of_month=week_of_month,
    )
    duration = dt.timedelta(minutes=duration_minutes)
    plan_record = None
    if rotate:
        people = participants_of(participation=participation, body=body, on=dates[0], host=host_organisation)
        if not people:
            raise InvalidInput(
                "The series has no participants with a known time zone to rotate for.", field="participation"
            )
        host_key = None
        if host_in_working_hours and host_organisation is not None:
            host_key = next((p.key for p in people if p.organisation == host_organisation), None)
            if host_key is None:  # without it the constraint would silently not apply
                raise InvalidInput(
                    f"{host_organisation} has no known time zone here (a member government's capital), so its "
                    "working hours cannot be kept.",
                    field="host_organisation",
                )
        kept_weekday = weekday if keep_weekday else None
        options = {"host": host_key, "max_nights_per_quarter": max_nights_per_quarter, "weekday": kept_weekday}
        plan = None
        if time_limit_seconds is not None:
            plan = solve_rotation(people, dates, duration, options, time_limit_seconds=time_limit_seconds)
        elif len(dates) * len(people) <= settings.MEETINGS_ROTATION_IN_REQUEST_SEATS:
            # Building the problem costs more than the solver's budget on a large series (every candidate time of
            # every date for every participant): only a small one is tried here.
            budget = settings.MEETINGS_ROTATION_IN_REQUEST_SECONDS
            try:
                plan = solve_rotation(people, dates, duration, options, time_limit_seconds=budget)
            except rotation.RotationUndecided:  # not proven impossible in a second: the worker has a minute
                plan = None
        if plan is not None and (plan.solver == rotation.SOLVER_OPTIMAL or time_limit_seconds is not None):
            starts = list(plan.rotation.starts_at)
            plan_record = _rotation_record(plan, people, options)
        else:  # not proven within the request's budget: the worker solves it, and the page follows it
            starts = []
            plan_record = {
                "state": ROTATION_QUEUED,
                "queued_at": timezone.now().isoformat(),
                "dates": [day.isoformat() for day in dates],
                "options": options,
            }
    else:
        for day in dates:  # a start the host's clocks skip on one date is refused, naming it (a repeated one: first)
            wallclock.local_instant(day, local_start, host_time_zone, field="local_start", occurrence=wallclock.FIRST)
        starts = fixed_local_starts(dates, local_start, host_time_zone)
    with transaction.atomic():
        series = MeetingSeries.objects.create(
            title=title,
            body=body,
            participation=participation,
            frequency=frequency,
            interval=interval,
            weekday=weekday,
            week_of_month=week_of_month,
            local_start=local_start,
            duration_minutes=duration_minutes,
            host_time_zone=host_time_zone,
            host_organisation=host_organisation,
            virtual=virtual,
            location=location.strip(),
            agenda_template=agenda_template,
            rotation=plan_record,
            organiser=by,
            classification=classification,
        )
        _create_meetings(series, starts)
        ledger.record(
            "meetings.series_created",
            actor=by,
            subject=series,
            data={
                "meetings": len(starts),
                "rotation": (plan_record.get("solver") or plan_record.get("state")) if plan_record else None,
                "worst_off": plan_record.get("worst_off") if plan_record else None,
            },
        )
        if plan_record and plan_record.get("state") == ROTATION_QUEUED:
            transaction.on_commit(lambda: solve_queued_rotation.enqueue(series.pk))
    return series


def _create_meetings(series: MeetingSeries, starts: Sequence[dt.datetime]) -> None:
    """The meetings of a series at the given starts, each with the series' agenda template."""
    for n, starts_at in enumerate(starts, start=1):
        meeting = Meeting.objects.create(
            series=series,
            title=f"{series.title} ({n})" if len(starts) > 1 else series.title,
            body=series.body,
            starts_at=starts_at,
            duration_minutes=series.duration_minutes,
            host_time_zone=series.host_time_zone,
            virtual=series.virtual,
            location=series.location,
            organiser=series.organiser,
            classification=series.classification,
        )
        _agenda_from_template(meeting, series.agenda_template)


# A rotation not proven optimal within the request's budget is solved by the task worker: the series' `rotation`
# says how that stands until the plan replaces it.
ROTATION_QUEUED, ROTATION_SOLVING, ROTATION_REFUSED = "queued", "solving", "refused"
# A rotation still "solving" this long after the worker's time for it ran out was left by a worker that was killed
# (or lost its database connection) mid-solve: building the problem and saving the meetings take seconds, so a
# delivery of the task after that takes it again rather than leaving the series waiting for ever.
ROTATION_STALE_MARGIN = dt.timedelta(minutes=5)
ROTATION_FAULT = (
    "Working out the rotation stopped on a fault of ours, not of the series, and no meeting was made: create the "
    "series again, and tell the Support Unit if it happens again."
)


def solve_rotation(
    people: list[SeriesParticipant],
    dates: Sequence[dt.date],
    duration: dt.timedelta,
    options: dict[str, Any],
    *,
    time_limit_seconds: float,
) -> rotation.RotationPlan:
    return rotation.plan_rotation(
        participants=[rotation.Participant(key=p.key, tz=p.tz) for p in people],
        dates=dates,
        duration=duration,
        time_limit_seconds=time_limit_seconds,
        host=options["host"],
        max_nights_per_quarter=options["max_nights_per_quarter"],
        weekday=options["weekday"],
    )


@task()
def solve_queued_rotation(series_id: int) -> None:
    """The task worker solves a series' rotation `create_series` handed over, with the worker's time budget."""
    series = MeetingSeries.objects.filter(pk=series_id).first()
    if series is not None:
        finish_queued_rotation(series=series, time_limit_seconds=settings.MEETINGS_ROTATION_WORKER_SECONDS)


def finish_queued_rotation(*, series: MeetingSeries, time_limit_seconds: float) -> MeetingSeries | None:
    """The task worker's half of `create_series` for a large rotation (PoA 3B.3): solve it with the worker's time,
    then create the meetings at the plan's starts and keep the plan, proven optimal where the solver proved it. A
    rotation found impossible is recorded on the series with the reason, and no meeting is made; so is one whose work
    stopped on any other error (the fault is logged, the page says so), never left "solving". None when the series'
    rotation was not waiting (a task may be delivered twice) nor left solving by a worker that died (`_claimable`)."""
    claimed, waiting = _claim_rotation(series.pk)
    if claimed is None:
        return None
    try:
        dates = [dt.date.fromisoformat(day) for day in waiting["dates"]]
        host = claimed.host_organisation
        people = participants_of(participation=claimed.participation, body=claimed.body, on=dates[0], host=host)
        duration = dt.timedelta(minutes=claimed.duration_minutes)
        plan = solve_rotation(people, dates, duration, waiting["options"], time_limit_seconds=time_limit_seconds)
        with transaction.atomic():
            claimed = MeetingSeries.objects.select_for_update().get(pk=claimed.pk)
            claimed.rotation = _rotation_record(plan, people, waiting["options"])
            claimed.save(update_fields=["rotation"])
            _create_meetings(claimed, list(plan.rotation.starts_at))
            ledger.record(
                "meetings.rotation_solved",
                actor=claimed.organiser,
                subject=claimed,
                data={"meetings": len(dates), "rotation": plan.solver, "worst_off": plan.rotation.worst_off},
            )
    except rotation.RotationImpossible as impossible:
        _refuse_rotation(claimed, waiting, impossible.message)
    except Exception:
        log.exception("Working out the rotation of series %s stopped", claimed.pk)
        _refuse_rotation(claimed, {**waiting, "fault": True}, ROTATION_FAULT)
        raise  # the task is recorded as failed, for whoever runs the workers
    return claimed


def _claimable(record: dict[str, Any] | None, now: dt.datetime) -> bool:
    """Waiting for the worker, or left "solving" well past the worker's time by a worker that died mid-solve."""
    state = (record or {}).get("state")
    if state == ROTATION_QUEUED:
        return True
    if state != ROTATION_SOLVING:
        return False
    started = dt.datetime.fromisoformat((record or {})["started_at"])
    stale_after = dt.timedelta(seconds=settings.MEETINGS_ROTATION_WORKER_SECONDS) + ROTATION_STALE_MARGIN
    return now - started > stale_after


def _claim_rotation(pk: int) -> tuple[MeetingSeries | None, dict[str, Any]]:
    """The series, its rotation marked solving by this run of the task (locked while claimed, so two workers cannot
    both take it), with the record it was waiting with; (None, {}) when it is not claimable."""
    with transaction.atomic():
        claimed = MeetingSeries.objects.select_for_update().filter(pk=pk).first()
        now = timezone.now()
        if claimed is None or not _claimable(claimed.rotation, now):
            return None, {}
        waiting = {key: value for key, value in (claimed.rotation or {}).items() if key != "started_at"}
        claimed.rotation = {**waiting, "state": ROTATION_SOLVING, "started_at": now.isoformat()}
        claimed.save(update_fields=["rotation"])
    return claimed, waiting


def _refuse_rotation(series: MeetingSeries, waiting: dict[str, Any], message: str) -> None:
    with transaction.atomic():
        MeetingSeries.objects.filter(pk=series.pk).update(
            rotation={**waiting, "state": ROTATION_REFUSED, "error": message}
        )
        ledger.record("meetings.rotation_refused", actor=series.organiser, subject=series)


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
    _zone(host_time_zone, "host_time_zone")
    if series is not None and not policy.is_visible(by, series):
        raise AccessDenied("You do not have access to this series.")
    if classification is None:
        classification = series.classification if series is not None else Classification.MEMBERS
    _classification(by, classification)
    if series is not None and not READERS[classification] <= READERS[series.classification]:
        raise InvalidInput(
            f"A meeting of {series} is classified {series.get_classification_display().lower()} or more strictly: "
            "its agenda carries the series' items.",
            field="classification",
        )
    _visible_or_none(by, body, "body", "body")
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
            _agenda_from_template(meeting, series.agenda_template)
            previous = previous_meeting(meeting)
            if previous is not None:
                for item in previous.agenda.filter(outcome=AgendaItem.Outcome.NOT_REACHED, carried_to__isnull=True):
                    _carry(item, meeting)
                if previous.minutes_state == Meeting.MinutesState.CIRCULATED:
                    _ensure_approval_item(previous, meeting)
                _ensure_action_review(meeting)
        ledger.record("meetings.meeting_created", actor=by, subject=meeting, data={"starts_at": meeting.starts_at})
    return meeting


# --- Order within a series --------------------------------------------------------------------------------------


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


def _next_position(meeting: Meeting) -> int:
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


def _ensure_approval_item(minutes_of: Meeting, at: Meeting) -> AgendaItem:
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


def _ensure_action_review(meeting: Meeting) -> AgendaItem | None:
    if open_actions_before(meeting):
        return _ensure_generated(meeting, AgendaItem.Kind.ACTION_REVIEW, "Review of open action items", position=2)
    return None


def _ensure_digest(meeting: Meeting) -> AgendaItem | None:
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


def _carry(item: AgendaItem, to: Meeting) -> AgendaItem | None:
    """Carry an item not reached to `to`. A review of actions or a digest of calls is not copied: `to` gets its
    own, up to date; an approval of minutes keeps naming the minutes it approves."""
    if item.kind == AgendaItem.Kind.ACTION_REVIEW:
        return _ensure_action_review(to)
    if item.kind == AgendaItem.Kind.QUARTERLY_CALLS:
        return _ensure_digest(to)
    return AgendaItem.objects.create(
        meeting=to,
        position=_next_position(to),
        title=item.title,
        description=item.description,
        owner=item.owner,
        activity=item.activity,
        approves=item.approves,
        carried_from=item,
    )


# --- Agenda -----------------------------------------------------------------------------------------------------


def _require_manage(by: Any, meeting: Meeting) -> None:
    policy.require(by, "meetings.manage")
    if not policy.is_visible(by, meeting):
        raise AccessDenied("You do not have access to this meeting.")


def _current(meeting: Meeting | int) -> Meeting:
    """The meeting as it stands, locked to the end of the transaction: a state check must not trust the copy the
    caller holds, which may predate a circulation, an approval or a cancellation."""
    return Meeting.objects.select_for_update().get(pk=meeting if isinstance(meeting, int) else meeting.pk)


def _require_agenda_open(meeting: Meeting, field: str) -> None:
    if meeting.minutes_state == Meeting.MinutesState.APPROVED:
        raise InvalidInput("The minutes of this meeting are approved: its agenda is closed.", field=field)


def _visible_or_none(by: Any, obj: Any, field: str, what: str) -> Any:
    if obj is not None and not policy.is_visible(by, obj):
        raise InvalidInput(f"No such {what} that you can see.", field=field)
    return obj


def add_agenda_item(
    *,
    meeting: Meeting,
    by: Any,
    title: str,
    description: str = "",
    owner: Person | None = None,
    activity: Any = None,
) -> AgendaItem:
    _require_manage(by, meeting)
    title = title.strip()
    if not title:
        raise InvalidInput("Give the agenda item a title.", field="title")
    _visible_or_none(by, owner, "owner", "person")
    _visible_or_none(by, activity, "activity", "activity")
    with transaction.atomic():
        meeting = _current(meeting)
        _require_agenda_open(meeting, "title")
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=_next_position(meeting),
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
    _require_manage(by, item.meeting)
    if outcome not in AgendaItem.Outcome.values:
        raise InvalidInput("Choose taken, not reached or not yet taken.", field="outcome")
    carried = None
    with transaction.atomic():
        meeting = _current(item.meeting_id)
        _require_agenda_open(meeting, "outcome")
        item.outcome = outcome
        item.save(update_fields=["outcome"])
        following = next_meeting(meeting)
        if outcome == AgendaItem.Outcome.NOT_REACHED and following is not None and not item.carried_to.exists():
            carried = _carry(item, following)
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


# --- Minutes ----------------------------------------------------------------------------------------------------


def save_minutes(*, item: AgendaItem, by: Any, text: str) -> MinutesRevision | None:
    """Save an item's minutes as a new revision (nothing when unchanged). Only draft minutes change."""
    _require_manage(by, item.meeting)
    text = text.strip()
    with transaction.atomic():
        meeting = _current(item.meeting_id)
        _require_open_minutes(meeting, "text")
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


def _require_state(meeting: Meeting, *states: str, field: str = "minutes_state") -> None:
    if meeting.minutes_state not in states:
        raise InvalidInput(f"The minutes are {meeting.get_minutes_state_display().lower()}.", field=field)


def circulate_minutes(*, meeting: Meeting, by: Any) -> Meeting:
    """Send the draft minutes round; they go on the next meeting's agenda for approval."""
    _require_manage(by, meeting)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _require_state(meeting, Meeting.MinutesState.DRAFT)
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
            _ensure_approval_item(meeting, following)
            _ensure_action_review(following)  # actions still open after this meeting come back at the next
        ledger.record("meetings.minutes_circulated", actor=by, subject=meeting, data={"hash": minutes_hash(meeting)})
    return meeting


def _has_minutes(meeting: Meeting) -> bool:
    """Some item's current minutes say something, or a decision was recorded (a blanked item is no minutes)."""
    if meeting.decisions.exists():
        return True
    latest = MinutesRevision.objects.filter(item=OuterRef("item")).order_by("-number").values("number")[:1]
    return MinutesRevision.objects.filter(item__meeting=meeting, number=Subquery(latest)).exclude(text="").exists()


def return_to_draft(*, meeting: Meeting, by: Any, reason: str) -> Meeting:
    _require_manage(by, meeting)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Say why the circulated minutes go back to draft.", field="reason")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _require_state(meeting, Meeting.MinutesState.CIRCULATED)
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
    _require_manage(by, minutes_of)
    if not policy.is_visible(by, at):
        raise AccessDenied("You do not have access to this meeting.")
    with transaction.atomic():
        minutes_of = _current(minutes_of)
        at = _current(at)
        if at.series_id is None or at.series_id != minutes_of.series_id or at.starts_at <= minutes_of.starts_at:
            raise InvalidInput("Minutes are approved at a later meeting of the same series.", field="at")
        if at.is_cancelled:
            raise InvalidInput("A cancelled meeting approves nothing.", field="at")
        if at.starts_at - timezone.now() > APPROVAL_MARGIN:
            raise InvalidInput(
                "Minutes are approved at the meeting itself: record the approval when that meeting takes place.",
                field="at",
            )
        _require_state(minutes_of, Meeting.MinutesState.CIRCULATED)
        items = _item_minutes(minutes_of)
        digest = integrity.minutes_digest(items, minutes_of.decisions.all(), minutes_of.actions.all())
        attendance = integrity.attendance_snapshot(minutes_of.attendance.all())
        approval = MinutesApproval.objects.create(
            minutes_of=minutes_of, approved_at=at, approved_by=by, content_hash=digest, attendance=attendance
        )
        minutes_of.minutes_state = Meeting.MinutesState.APPROVED
        minutes_of.save(update_fields=["minutes_state"])
        _ensure_approval_item(minutes_of, at)
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
    from coalition.programme import services as programme
    from coalition.programme.models import Activity

    activity_ids = {d.activity_id for d in meeting.decisions.all() if d.activity_id}
    activity_ids |= {a.activity_id for a in meeting.actions.all() if a.activity_id}
    activity_ids |= {i.activity_id for i in meeting.agenda.all() if i.activity_id}
    if not activity_ids or not policy.can(by, "programme.link_evidence"):
        return
    for activity in policy.visible_to(by, Activity).filter(pk__in=activity_ids).order_by("pk"):
        programme.link_evidence_if_new(
            activity=activity, record_type="meetings.meeting", record_id=str(meeting.pk), by=by, note="Approved minutes"
        )


# --- Decisions and action items ---------------------------------------------------------------------------------


def _require_open_minutes(meeting: Meeting, field: str) -> None:
    if meeting.minutes_state != Meeting.MinutesState.DRAFT:
        raise InvalidInput(
            f"The minutes are {meeting.get_minutes_state_display().lower()}: return them to draft to change them.",
            field=field,
        )


def _item_of(meeting: Meeting, item: AgendaItem | None) -> AgendaItem | None:
    if item is not None and item.meeting_id != meeting.pk:
        raise InvalidInput("That agenda item belongs to another meeting.", field="item")
    return item


def record_decision(
    *, meeting: Meeting, by: Any, text: str, item: AgendaItem | None = None, activity: Any = None
) -> Decision:
    _require_manage(by, meeting)
    text = text.strip()
    if not text:
        raise InvalidInput("Write the decision.", field="text")
    _visible_or_none(by, activity, "activity", "activity")
    with transaction.atomic():
        meeting = _current(meeting)
        _require_open_minutes(meeting, "text")
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
    _require_manage(by, meeting)
    text = text.strip()
    if not text:
        raise InvalidInput("Say what is to be done.", field="text")
    if owner is None and owner_organisation is None:
        raise InvalidInput("Name who owns the action: a person or a member.", field="owner")
    _visible_or_none(by, owner, "owner", "person")
    _visible_or_none(by, owner_organisation, "owner_organisation", "organisation")
    _visible_or_none(by, activity, "activity", "activity")
    # The meeting's date is the host's as much as UTC's: an evening meeting in Santiago is already tomorrow in UTC.
    if due_on is not None and due_on < min(meeting.starts_at.date(), meeting.local_start().date()):
        raise InvalidInput("An action cannot be due before the meeting that set it.", field="due_on")
    with transaction.atomic():
        meeting = _current(meeting)
        _require_open_minutes(meeting, "text")
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
            _ensure_action_review(following)
        ledger.record("meetings.action_assigned", actor=by, subject=meeting, data={"action": action.pk})
    return action


def close_action(*, action: ActionItem, by: Any, state: str, at: Meeting | None = None) -> ActionItem:
    """Mark an action done or dropped, at a later meeting of its series when that is where it was closed."""
    _require_manage(by, action.meeting)
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


# --- Attendance -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceRow:
    status: str
    organisation: Organisation | None = None
    person: Person | None = None


def record_attendance(*, meeting: Meeting, by: Any, rows: Iterable[AttendanceRow]) -> int:
    """Record who was present, sent apologies or was absent; every row is checked before any is saved."""
    _require_manage(by, meeting)
    rows = list(rows)
    for n, row in enumerate(rows, start=1):
        if row.status not in Attendance.Status.values:
            raise InvalidInput(f"Row {n}: choose present, apologies or absent.", field="status")
        if row.organisation is None and row.person is None:
            raise InvalidInput(f"Row {n}: name a member or a person.", field="organisation")
        _visible_or_none(by, row.organisation, "organisation", f"member or organisation in row {n}")
        _visible_or_none(by, row.person, "person", f"person in row {n}")
    with transaction.atomic():
        meeting = _current(meeting)  # locked: attendance is recorded, and approval freezes it, one at a time
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


# --- Changes attendees must see: reschedule, cancel, invitations --------------------------------------------------


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
        members = [p.organisation for p in _participants(participation=participation, body=meeting.body, on=on)]
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
    _require_manage(by, meeting)
    with transaction.atomic():
        meeting = _current(meeting)
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
    _require_manage(by, meeting)
    if starts_at.tzinfo is None:
        raise InvalidInput("A meeting's start must name its time zone.", field="starts_at")
    if duration_minutes is not None and not 15 <= duration_minutes <= 600:
        raise InvalidInput("A meeting lasts 15 minutes to 10 hours.", field="duration_minutes")
    with transaction.atomic():
        meeting = _current(meeting)
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
    _require_manage(by, meeting)
    with transaction.atomic():
        meeting = _current(meeting)
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
                _ensure_approval_item(item.approves, following)
                moved += 1
            continue
        item.meeting, item.position = following, _next_position(following)
        item.save(update_fields=["meeting", "position"])
        moved += 1
    _ensure_action_review(following)
    if cancelled.agenda.filter(kind=AgendaItem.Kind.QUARTERLY_CALLS).exists():
        _ensure_digest(following)
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


# --- Quarterly update calls (PoA 1B.2, 3B.2) ----------------------------------------------------------------------


def record_quarterly_call(
    *,
    by: Any,
    organisation: Organisation,
    held_on: dt.date,
    topics: str,
    posts: Iterable[Office] = (),
    proposed_actions: str = "",
    asks: str = "",
    classification: str = Classification.MEMBERS,
) -> QuarterlyCall:
    """A member records its capital–embassy call; the next Strategy and Coordination meeting's digest follows."""
    policy.require(by, "meetings.record_call", organisation)
    if organisation.kind != Organisation.Kind.GOVERNMENT:
        raise InvalidInput("Quarterly calls are a member government's.", field="organisation")
    if status_of(organisation, held_on) != Participation.Status.MEMBER:
        raise InvalidInput(f"{organisation} was not a member on {held_on:%d %B %Y}.", field="organisation")
    if held_on > today() + dt.timedelta(days=1):
        raise InvalidInput("Record a call once it has been held: the date is in the future.", field="held_on")
    topics = topics.strip()
    if not topics:
        raise InvalidInput("Say which topics the call covered.", field="topics")
    _classification(by, classification)
    posts = list(posts)
    foreign = [post for post in posts if post.organisation_id != organisation.pk]
    if foreign:
        raise InvalidInput(f"{foreign[0]} is not a post of {organisation}.", field="posts")
    with transaction.atomic():
        call = QuarterlyCall.objects.create(
            organisation=organisation,
            held_on=held_on,
            topics=topics,
            proposed_actions=proposed_actions.strip(),
            asks=asks.strip(),
            recorded_by=by,
            classification=classification,
        )
        call.posts.set(posts)
        ledger.record("meetings.quarterly_call_recorded", actor=by, subject=call, on_behalf_of=organisation)
        refresh_quarterly_digests()
    return call


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


def refresh_quarterly_digests(on: dt.date | None = None) -> list[AgendaItem]:
    """Put (or refresh) the digest of the quarter's calls on the next meeting of every Strategy and Coordination
    series (PoA 3B.2). Called when a call is recorded; safe to run again."""
    now = timezone.now() if on is None else dt.datetime.combine(on, dt.time(), tzinfo=dt.UTC)
    items = []
    series_ids = MeetingSeries.objects.filter(body__kind=Body.Kind.STRATEGY).values_list("pk", flat=True)
    for series_id in series_ids:
        upcoming = (
            Meeting.objects.filter(series_id=series_id, starts_at__gte=now, state=Meeting.State.SCHEDULED)
            .order_by("starts_at")
            .first()
        )
        if upcoming is None:
            continue
        item = _ensure_digest(upcoming)
        if item is not None:
            items.append(item)
    return items
