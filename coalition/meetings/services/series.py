"""Creating a meeting series (issue 4): a `SeriesSpec` the form builds, checked, planned, then saved."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coalition.core import ledger, policy, wallclock
from coalition.core.errors import InvalidInput
from coalition.core.policy import Classification
from coalition.directory.models import Body, Organisation
from coalition.meetings import rotation
from coalition.meetings.models import MeetingSeries
from coalition.meetings.services.checks import check_classification, check_zone, visible_or_none
from coalition.meetings.services.rotations import (
    ROTATION_QUEUED,
    rotation_record,
    solve_queued_rotation,
    solve_rotation,
)
from coalition.meetings.services.schedule import (
    SeriesParticipant,
    cadence_dates,
    create_meetings,
    fixed_local_starts,
    participants_of,
)


@dataclass(frozen=True)
class SeriesSpec:
    """What a series is to be, as the new-series form (`SeriesForm.spec()`) or a script gives it."""

    title: str
    first_on: dt.date
    count: int
    host_time_zone: str
    frequency: str = MeetingSeries.Frequency.MONTHLY
    interval: int = 1
    weekday: int | None = None
    week_of_month: int | None = None
    local_start: dt.time = dt.time(14, 0)
    duration_minutes: int = 60
    participation: str = MeetingSeries.Participation.MEMBERS
    body: Body | None = None
    host_organisation: Organisation | None = None
    virtual: bool = True
    location: str = ""
    agenda_template: str = ""
    classification: str = Classification.MEMBERS
    rotate: bool = False
    host_in_working_hours: bool = False
    max_nights_per_quarter: int | None = None
    keep_weekday: bool = False


@dataclass(frozen=True)
class SeriesPlan:
    """The meetings' starts, and the rotation record the series keeps (None without rotation; a `state` while the
    task worker has it, in which case `starts` is empty)."""

    starts: list[dt.datetime]
    rotation: dict[str, Any] | None

    @property
    def queued(self) -> bool:
        return bool(self.rotation) and self.rotation.get("state") == ROTATION_QUEUED  # type: ignore[union-attr]


def create_series(spec: SeriesSpec, *, by: Any, time_limit_seconds: float | None = None) -> MeetingSeries:
    """Create a series and its meetings; with `rotate`, each meeting's time comes from the fair rotation (3B.3).
    A rotation proven impossible raises `rotation.RotationImpossible` naming the constraint, and nothing is saved;
    one neither found nor proven impossible in the request's time (`RotationUndecided`) goes to the worker.

    A small rotation (up to MEETINGS_ROTATION_IN_REQUEST_SEATS meetings × participants) is solved here for up to
    MEETINGS_ROTATION_IN_REQUEST_SECONDS; a larger one, or one the solver has not proven optimal by then (a year of
    weekly meetings took 9.9 s), is handed to the task worker, and the series' meetings are made when it finishes
    (`finish_queued_rotation`). A caller naming `time_limit_seconds` (the demo, scripts) waits for
    the solver instead and keeps what it found."""
    spec = check_series(spec, by=by)
    dates = cadence_dates(
        frequency=spec.frequency,
        first_on=spec.first_on,
        count=spec.count,
        interval=spec.interval,
        weekday=spec.weekday,
        week_of_month=spec.week_of_month,
    )
    if spec.rotate:
        plan = plan_rotated(spec, dates, time_limit_seconds=time_limit_seconds)
    else:
        plan = SeriesPlan(starts=fixed_starts(spec, dates), rotation=None)
    return save_series(spec, plan, by=by)


def check_series(spec: SeriesSpec, *, by: Any) -> SeriesSpec:
    """The spec as it is saved (its title and location trimmed), once access and every rule of a series hold."""
    policy.require(by, "meetings.manage")
    spec = replace(spec, title=spec.title.strip(), location=spec.location.strip())
    if not spec.title:
        raise InvalidInput("Give the series a title.", field="title")
    check_classification(by, spec.classification)
    check_zone(spec.host_time_zone, "host_time_zone")
    if not 15 <= spec.duration_minutes <= 600:
        raise InvalidInput("A meeting lasts 15 minutes to 10 hours.", field="duration_minutes")
    _check_participants(spec, by)
    _check_rotation_constraints(spec)
    return spec


def _check_participants(spec: SeriesSpec, by: Any) -> None:
    if spec.participation not in MeetingSeries.Participation.values:
        raise InvalidInput("Choose who takes part.", field="participation")
    if spec.body is not None and not policy.is_visible(by, spec.body):
        raise InvalidInput("No such body that you can see.", field="body")
    if spec.participation == MeetingSeries.Participation.BODY and spec.body is None:
        raise InvalidInput("A body's series needs the body.", field="body")
    visible_or_none(by, spec.host_organisation, "host_organisation", "organisation")


def _check_rotation_constraints(spec: SeriesSpec) -> None:
    if spec.host_in_working_hours and spec.host_organisation is None:
        raise InvalidInput("Name the host to keep the host inside working hours.", field="host_organisation")
    constrained = spec.max_nights_per_quarter is not None or spec.host_in_working_hours or spec.keep_weekday
    if constrained and not spec.rotate:
        raise InvalidInput("Rotation constraints apply only to a series with fair rotation.", field="rotate")
    if spec.keep_weekday and spec.weekday is None:
        raise InvalidInput("Choose the weekday to keep.", field="weekday")


def fixed_starts(spec: SeriesSpec, dates: list[dt.date]) -> list[dt.datetime]:
    """The same host wall-clock time on every date; a start the host's clocks skip on one date is refused, naming
    it (a repeated one: its first occurrence)."""
    for day in dates:
        wallclock.local_instant(
            day, spec.local_start, spec.host_time_zone, field="local_start", occurrence=wallclock.FIRST
        )
    return fixed_local_starts(dates, spec.local_start, spec.host_time_zone)


def _rotation_options(spec: SeriesSpec, people: list[SeriesParticipant]) -> dict[str, Any]:
    """The rotation's constraints as the solver (and the worker, from the series' record) reads them."""
    host_key = None
    if spec.host_in_working_hours and spec.host_organisation is not None:
        host_key = next((p.key for p in people if p.organisation == spec.host_organisation), None)
        if host_key is None:  # without it the constraint would silently not apply
            raise InvalidInput(
                f"{spec.host_organisation} has no known time zone here (a member government's capital), so its "
                "working hours cannot be kept.",
                field="host_organisation",
            )
    kept_weekday = spec.weekday if spec.keep_weekday else None
    return {"host": host_key, "max_nights_per_quarter": spec.max_nights_per_quarter, "weekday": kept_weekday}


def plan_rotated(spec: SeriesSpec, dates: list[dt.date], *, time_limit_seconds: float | None) -> SeriesPlan:
    """The fair rotation's starts when it is solved here; else an empty plan queued for the task worker."""
    people = participants_of(participation=spec.participation, body=spec.body, on=dates[0], host=spec.host_organisation)
    if not people:
        raise InvalidInput(
            "The series has no participants with a known time zone to rotate for.", field="participation"
        )
    options = _rotation_options(spec, people)
    duration = dt.timedelta(minutes=spec.duration_minutes)
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
        return SeriesPlan(starts=list(plan.rotation.starts_at), rotation=rotation_record(plan, people, options))
    # Not proven within the request's budget: the worker solves it, and the page follows it.
    queued = {
        "state": ROTATION_QUEUED,
        "queued_at": timezone.now().isoformat(),
        "dates": [day.isoformat() for day in dates],
        "options": options,
    }
    return SeriesPlan(starts=[], rotation=queued)


def save_series(spec: SeriesSpec, plan: SeriesPlan, *, by: Any) -> MeetingSeries:
    """The series, its meetings at the plan's starts, and the ledger entry, in one transaction; a queued rotation is
    handed to the task worker once it commits."""
    fields = {name: getattr(spec, name) for name in SERIES_FIELDS}
    record = plan.rotation
    with transaction.atomic():
        series = MeetingSeries.objects.create(**fields, rotation=record, organiser=by)
        create_meetings(series, plan.starts)
        ledger.record(
            "meetings.series_created",
            actor=by,
            subject=series,
            data={
                "meetings": len(plan.starts),
                "rotation": (record.get("solver") or record.get("state")) if record else None,
                "worst_off": record.get("worst_off") if record else None,
            },
        )
        if plan.queued:
            transaction.on_commit(lambda: solve_queued_rotation.enqueue(series.pk))
    return series


# The spec's fields the series row keeps (the rotation's constraints live in its rotation record).
SERIES_FIELDS = (
    "title",
    "body",
    "participation",
    "frequency",
    "interval",
    "weekday",
    "week_of_month",
    "local_start",
    "duration_minutes",
    "host_time_zone",
    "host_organisation",
    "virtual",
    "location",
    "agenda_template",
    "classification",
)
