"""Fair rotation of meeting times across time zones (PoA 3B.3, "alternating meeting times to accommodate different
time zones"; issue 4).

The coalition's capitals run from UTC−6 to UTC+13, so no single time is inside everyone's working day, and keeping
one time puts the same members at night every month. `plan_rotation` chooses a start time for each date of a series
so that the worst-off participant's cumulative burden is as low as possible and, among rotations with that worst-off
burden, the total is lowest; it sets each participant's ledger beside the best single fixed time and explains the
result in plain words.

Burden model
- Local hours: working 08:00–19:00, unsocial 07:00–08:00 and 19:00–22:00, night 22:00–07:00.
- A meeting counts at the worst category its span [start, end) touches: 07:00–08:00 is unsocial, 18:00–19:00 is
  working, 21:30–22:30 is night. A meeting that runs past 22:00 costs the evening whatever its length, and whole
  points per meeting keep the exact solver in integers. Points per category are parameters (0 / 1 / 3 by default);
  a participant's weight multiplies its points.
- Local times come from zoneinfo on each actual meeting date, so summer time in either hemisphere is honoured; a
  meeting across a clock change counts the wall-clock span on both sides of it.

Constraints, all optional: the host inside working hours; at most N night meetings per participant per calendar
quarter (of the meeting's UTC date); a fixed weekday, read in the host's zone (in UTC when there is no host). They are
checked one at a time, so an impossible rotation raises `RotationImpossible` naming the constraint that fails.

Solvers: OR-Tools CP-SAT, lexicographic (minimise the worst-off burden, fix it, minimise the total) within a time
limit; a deterministic local search when OR-Tools is not installed or finds no solution in time.
"""

from __future__ import annotations

import time as clock
from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import Literal

from coalition.core.errors import InvalidInput
from coalition.meetings.rotation import solvers
from coalition.meetings.rotation.burden import (
    SOLVER_FEASIBLE,
    SOLVER_HEURISTIC,
    SOLVER_OPTIMAL,
    WEEKDAYS,
    BurdenPoints,
    Category,
    Ledger,
    LedgerEntry,
    Participant,
    RotationImpossible,
    RotationPlan,
    RotationUndecided,
    Schedule,
    classify_meeting,
)
from coalition.meetings.rotation.constraints import (
    check_meeting_constraints,
    check_night_limit_alone,
    explain_night_conflict,
)
from coalition.meetings.rotation.problem import best_fixed_time, build_problem, ranking_key, undominated_candidates
from coalition.meetings.rotation.words import explain, nights_in_words, schedule_of

__all__ = [
    "SOLVER_FEASIBLE",
    "SOLVER_HEURISTIC",
    "SOLVER_OPTIMAL",
    "WEEKDAYS",
    "BurdenPoints",
    "Category",
    "Ledger",
    "LedgerEntry",
    "Participant",
    "RotationImpossible",
    "RotationPlan",
    "RotationUndecided",
    "Schedule",
    "classify_meeting",
    "plan_rotation",
]

DEFAULT_POINTS = BurdenPoints()  # 0 / 1 / 3 (frozen: one for every call)


def plan_rotation(
    *,
    participants: Sequence[Participant],
    dates: Sequence[date],
    duration: timedelta = timedelta(hours=1),
    start_times: Sequence[time] | None = None,
    points: BurdenPoints = DEFAULT_POINTS,
    host: str | None = None,
    max_nights_per_quarter: int | None = None,
    weekday: int | None = None,
    time_limit_seconds: float = 4.0,
    workers: int = 2,
    solver: Literal["auto", "heuristic"] = "auto",
) -> RotationPlan:
    """Choose one start time (UTC) per date so the worst-off participant carries the least burden, then the least
    total; compare with the best single fixed time (PoA 3B.3).

    `start_times` are candidate UTC times of day (every 30 minutes when omitted); `weekday` is 0 for Monday.
    """
    if time_limit_seconds < 0:
        raise InvalidInput("The time limit cannot be negative.", field="time_limit_seconds")
    if workers < 1:
        raise InvalidInput("At least one solver worker is needed.", field="workers")
    started = clock.perf_counter()
    problem = build_problem(
        participants=participants,
        dates=dates,
        duration=duration,
        start_times=start_times,
        points=points,
        host=host,
        max_nights_per_quarter=max_nights_per_quarter,
        weekday=weekday,
    )
    check_meeting_constraints(problem)
    check_night_limit_alone(problem)
    candidates = undominated_candidates(problem)
    fixed_index = best_fixed_time(problem, within_constraints=True)
    fixed_meets_constraints = fixed_index is not None
    if fixed_index is None:
        fixed_index = best_fixed_time(problem, within_constraints=False)
        assert fixed_index is not None  # there is at least one candidate time
    fixed_choice = [fixed_index] * len(problem.dates)

    choice: list[int] | None = None
    used = SOLVER_HEURISTIC
    fallback_reason = ""
    exact: tuple[str, list[int]] | Literal["unknown", "infeasible"] | None = None
    if solver == "auto":
        exact = solvers.solve_exact(problem, candidates, time_limit=time_limit_seconds, workers=workers)
        if exact is None:
            fallback_reason = "OR-Tools is not installed here"
        elif exact == "unknown":
            fallback_reason = f"CP-SAT found no rotation within {time_limit_seconds:g} s"
        elif exact == "infeasible":
            raise explain_night_conflict(problem)
        else:
            used, choice = exact
    if choice is None:
        choice = solvers.solve_heuristic(problem, candidates, fixed_choice if fixed_meets_constraints else None)
        if choice is None:
            undecided = RotationUndecided if exact == "unknown" else RotationImpossible
            raise undecided(
                f"No rotation was found that keeps everyone within {nights_in_words(problem.max_nights)} per quarter: "
                f"{fallback_reason or 'the fast search was asked for'}, and the fast search cannot prove whether "
                "one exists.",
                field="max_nights_per_quarter",
            )
    if fixed_meets_constraints and ranking_key(problem, fixed_choice) <= ranking_key(problem, choice):
        choice = fixed_choice  # as good as any rotation, and easier to remember
    rotation = schedule_of(problem, choice)
    fixed = schedule_of(problem, fixed_choice)
    return RotationPlan(
        rotation=rotation,
        fixed=fixed,
        fixed_time=problem.times[fixed_index],
        fixed_meets_constraints=fixed_meets_constraints,
        solver=used,
        solve_seconds=clock.perf_counter() - started,
        explanation=explain(problem, rotation, fixed, fixed_meets_constraints, used, fallback_reason),
    )
