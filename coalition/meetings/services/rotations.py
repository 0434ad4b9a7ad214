"""The fair rotation of a series' meeting times (PoA 3B.3): solving it, and the task worker's half for a rotation
not solved within the request."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from coalition.core import ledger
from coalition.meetings import rotation
from coalition.meetings.models import MeetingSeries
from coalition.meetings.services.schedule import SeriesParticipant, create_meetings, participants_of

log = logging.getLogger(__name__)


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


def rotation_record(
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
            claimed.rotation = rotation_record(plan, people, waiting["options"])
            claimed.save(update_fields=["rotation"])
            create_meetings(claimed, list(plan.rotation.starts_at))
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
