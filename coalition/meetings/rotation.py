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

import enum
import random
import time as clock
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from coalition.core.errors import InvalidInput

SOLVER_OPTIMAL = "cp-sat optimal"
SOLVER_FEASIBLE = "cp-sat feasible within time limit"
SOLVER_HEURISTIC = "heuristic"

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Category(enum.StrEnum):
    WORKING = "working"
    UNSOCIAL = "unsocial"
    NIGHT = "night"


_SEVERITY = {Category.WORKING: 0, Category.UNSOCIAL: 1, Category.NIGHT: 2}
_DAY = 24 * 3600
# Local wall-clock bands: (first second of the band, category); each runs to the next band or to midnight.
_BANDS = (
    (0, Category.NIGHT),
    (7 * 3600, Category.UNSOCIAL),
    (8 * 3600, Category.WORKING),
    (19 * 3600, Category.UNSOCIAL),
    (22 * 3600, Category.NIGHT),
)
# The local search is bounded by a count of restarts, not by time, so that it answers the same on any machine.
_HEURISTIC_RESTARTS = 60
_HEURISTIC_SEED = 20271


class RotationImpossible(InvalidInput):
    """No rotation can meet a constraint; `field` names the constraint (host, weekday, max_nights_per_quarter)."""


class RotationUndecided(RotationImpossible):
    """Neither found nor proven impossible: CP-SAT ran out of its time and the fast search found nothing. Refused
    like an impossible one where the time given was all there is (the task worker's), but a web request with its
    short budget hands such a rotation to the worker instead of refusing one that may well exist."""


@dataclass(frozen=True, kw_only=True)
class Participant:
    key: str
    tz: str
    weight: int = 1

    @property
    def label(self) -> str:
        return self.key if self.key == self.tz else f"{self.key} ({self.tz})"


@dataclass(frozen=True, kw_only=True)
class BurdenPoints:
    working: int = 0
    unsocial: int = 1
    night: int = 3

    def of(self, category: Category) -> int:
        return {Category.WORKING: self.working, Category.UNSOCIAL: self.unsocial, Category.NIGHT: self.night}[category]


@dataclass(frozen=True, kw_only=True)
class LedgerEntry:
    starts_at: datetime
    local_start: datetime
    category: Category
    points: int
    cumulative: int


@dataclass(frozen=True, kw_only=True)
class Ledger:
    participant: Participant
    entries: tuple[LedgerEntry, ...]

    @property
    def total(self) -> int:
        return self.entries[-1].cumulative if self.entries else 0

    @property
    def nights(self) -> int:
        return sum(1 for entry in self.entries if entry.category == Category.NIGHT)


@dataclass(frozen=True, kw_only=True)
class Schedule:
    starts_at: tuple[datetime, ...]
    ledgers: tuple[Ledger, ...]
    worst_off: int
    worst_off_keys: tuple[str, ...]
    total: int

    def ledger(self, key: str) -> Ledger:
        return next(ledger for ledger in self.ledgers if ledger.participant.key == key)


@dataclass(frozen=True, kw_only=True)
class RotationPlan:
    rotation: Schedule
    fixed: Schedule  # the best single UTC time; within the constraints when any single time meets them
    fixed_time: time
    fixed_meets_constraints: bool
    solver: str
    solve_seconds: float
    explanation: str


def classify_meeting(*, starts_at: datetime, duration: timedelta, tz: str | tzinfo) -> Category:
    """The worst category of local hours that a meeting touches in zone `tz` on its actual date."""
    if starts_at.tzinfo is None:
        raise InvalidInput("A meeting's start must carry its time zone (UTC).", field="starts_at")
    zone = _zone(tz) if isinstance(tz, str) else tz
    length = int(duration.total_seconds())
    local_start = starts_at.astimezone(zone)
    local_end = (starts_at + duration).astimezone(zone)
    # Without a clock change the two readings agree; across one, each covers the wall-clock span on its side.
    from_start = _worst_between(_seconds_of_day(local_start), length)
    to_end = _worst_between((_seconds_of_day(local_end) - length) % _DAY, length)
    return max(from_start, to_end, key=_SEVERITY.__getitem__)


def plan_rotation(
    *,
    participants: Sequence[Participant],
    dates: Sequence[date],
    duration: timedelta = timedelta(hours=1),
    start_times: Sequence[time] | None = None,
    points: BurdenPoints = BurdenPoints(),
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
    problem = _build_problem(
        participants=participants,
        dates=dates,
        duration=duration,
        start_times=start_times,
        points=points,
        host=host,
        max_nights_per_quarter=max_nights_per_quarter,
        weekday=weekday,
    )
    _check_meeting_constraints(problem)
    _check_night_limit_alone(problem)
    candidates = _undominated_candidates(problem)
    fixed_index = _best_fixed_time(problem, within_constraints=True)
    fixed_meets_constraints = fixed_index is not None
    if fixed_index is None:
        fixed_index = _best_fixed_time(problem, within_constraints=False)
        assert fixed_index is not None  # there is at least one candidate time
    fixed_choice = [fixed_index] * len(problem.dates)

    choice: list[int] | None = None
    used = SOLVER_HEURISTIC
    fallback_reason = ""
    exact: tuple[str, list[int]] | Literal["unknown", "infeasible"] | None = None
    if solver == "auto":
        exact = _solve_exact(problem, candidates, time_limit=time_limit_seconds, workers=workers)
        if exact is None:
            fallback_reason = "OR-Tools is not installed here"
        elif exact == "unknown":
            fallback_reason = f"CP-SAT found no rotation within {time_limit_seconds:g} s"
        elif exact == "infeasible":
            raise _explain_night_conflict(problem)
        else:
            used, choice = exact
    if choice is None:
        choice = _solve_heuristic(problem, candidates, fixed_choice if fixed_meets_constraints else None)
        if choice is None:
            undecided = RotationUndecided if exact == "unknown" else RotationImpossible
            raise undecided(
                f"No rotation was found that keeps everyone within {_nights(problem.max_nights)} per quarter: "
                f"{fallback_reason or 'the fast search was asked for'}, and the fast search cannot prove whether "
                "one exists.",
                field="max_nights_per_quarter",
            )
    if fixed_meets_constraints and _key(problem, fixed_choice) <= _key(problem, choice):
        choice = fixed_choice  # as good as any rotation, and easier to remember
    rotation = _schedule(problem, choice)
    fixed = _schedule(problem, fixed_choice)
    return RotationPlan(
        rotation=rotation,
        fixed=fixed,
        fixed_time=problem.times[fixed_index],
        fixed_meets_constraints=fixed_meets_constraints,
        solver=used,
        solve_seconds=clock.perf_counter() - started,
        explanation=_explain(problem, rotation, fixed, fixed_meets_constraints, used, fallback_reason),
    )


# --- Burden ---------------------------------------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput(f"{name!r} is not an IANA time zone.", field="participants") from error


def _seconds_of_day(moment: datetime) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _worst_between(start: int, length: int) -> Category:
    """The worst category touched by wall-clock seconds [start, start + length), start within one day."""
    worst = Category.WORKING
    end = start + length
    for day in (0, _DAY):
        for index, (band_start, category) in enumerate(_BANDS):
            band_end = _BANDS[index + 1][0] if index + 1 < len(_BANDS) else _DAY
            if day + band_start < end and start < day + band_end and _SEVERITY[category] > _SEVERITY[worst]:
                worst = category
    return worst


# --- The problem ----------------------------------------------------------------------------------------------


@dataclass
class _Problem:
    participants: tuple[Participant, ...]
    dates: tuple[date, ...]
    times: tuple[time, ...]
    duration: timedelta
    points: BurdenPoints
    categories: list[list[list[Category]]]  # [date][time][participant]
    loads: list[list[list[int]]]  # weighted points, same shape
    nights: list[list[list[bool]]]
    allowed: list[list[int]]  # per date, the times that meet the per-meeting constraints
    quarters: list[tuple[int, int]]  # per date
    host: Participant | None
    weekday: int | None
    max_nights: int | None

    def starts_at(self, day: int, slot: int) -> datetime:
        return datetime.combine(self.dates[day], self.times[slot], tzinfo=UTC)


def _build_problem(
    *,
    participants: Sequence[Participant],
    dates: Sequence[date],
    duration: timedelta,
    start_times: Sequence[time] | None,
    points: BurdenPoints,
    host: str | None,
    max_nights_per_quarter: int | None,
    weekday: int | None,
) -> _Problem:
    if not participants:
        raise InvalidInput("A rotation needs at least one participant.", field="participants")
    keys = [participant.key for participant in participants]
    if len(set(keys)) != len(keys):
        raise InvalidInput("Each participant must appear once.", field="participants")
    if any(participant.weight < 0 for participant in participants):
        raise InvalidInput("A participant's weight cannot be negative.", field="participants")
    if not dates:
        raise InvalidInput("A rotation needs at least one meeting date.", field="dates")
    if len(set(dates)) != len(dates):
        raise InvalidInput("Each meeting date must appear once.", field="dates")
    if not timedelta(0) < duration <= timedelta(hours=24):
        raise InvalidInput("A meeting lasts more than nothing and at most 24 hours.", field="duration")
    if min(points.working, points.unsocial, points.night) < 0:
        raise InvalidInput("Burden points cannot be negative.", field="points")
    times = tuple(sorted(set(start_times))) if start_times is not None else _every_half_hour()
    if not times:
        raise InvalidInput("A rotation needs at least one candidate start time.", field="start_times")
    if any(candidate.tzinfo is not None and candidate.utcoffset() != timedelta(0) for candidate in times):
        raise InvalidInput("Candidate start times are times of day in UTC.", field="start_times")
    times = tuple(candidate.replace(tzinfo=None) for candidate in times)
    host_participant = None
    if host is not None:
        host_participant = next((p for p in participants if p.key == host), None)
        if host_participant is None:
            raise InvalidInput(f"The host {host!r} is not among the participants.", field="host")
    if weekday is not None and weekday not in range(7):
        raise InvalidInput("The weekday is a number from 0 (Monday) to 6 (Sunday).", field="weekday")
    if max_nights_per_quarter is not None and max_nights_per_quarter < 0:
        raise InvalidInput("The night limit cannot be negative.", field="max_nights_per_quarter")

    ordered = tuple(sorted(dates))
    zones = [_zone(participant.tz) for participant in participants]
    categories = [
        [
            [
                classify_meeting(starts_at=datetime.combine(day, slot, tzinfo=UTC), duration=duration, tz=zone)
                for zone in zones
            ]
            for slot in times
        ]
        for day in ordered
    ]
    loads = [
        [
            [points.of(category) * participant.weight for category, participant in zip(row, participants, strict=True)]
            for row in by_time
        ]
        for by_time in categories
    ]
    nights = [[[category == Category.NIGHT for category in row] for row in by_time] for by_time in categories]
    problem = _Problem(
        participants=tuple(participants),
        dates=ordered,
        times=times,
        duration=duration,
        points=points,
        categories=categories,
        loads=loads,
        nights=nights,
        allowed=[],
        quarters=[(day.year, (day.month - 1) // 3 + 1) for day in ordered],
        host=host_participant,
        weekday=weekday,
        max_nights=max_nights_per_quarter,
    )
    return problem


def _every_half_hour() -> tuple[time, ...]:
    return tuple(time(minute // 60, minute % 60) for minute in range(0, 24 * 60, 30))


# --- Constraints, one at a time --------------------------------------------------------------------------------


def _check_meeting_constraints(problem: _Problem) -> None:
    """Fill `allowed`, raising on the first date where the host's hours or the weekday leave no time."""
    host = problem.host
    host_index = problem.participants.index(host) if host is not None else None
    weekday_zone: tzinfo = _zone(host.tz) if host is not None else UTC
    for day, on in enumerate(problem.dates):
        slots = range(len(problem.times))
        in_hours = [
            s for s in slots if host_index is None or problem.categories[day][s][host_index] == Category.WORKING
        ]
        if host is not None and not in_hours:
            raise RotationImpossible(
                f"No candidate time keeps the host, {host.label}, within working hours (08:00–19:00 local) on {on}.",
                field="host",
            )
        on_weekday = [
            s
            for s in slots
            if problem.weekday is None
            or problem.starts_at(day, s).astimezone(weekday_zone).weekday() == problem.weekday
        ]
        if not on_weekday:
            raise RotationImpossible(
                f"No candidate time on {on} (UTC) starts on a {WEEKDAYS[problem.weekday or 0]} in "
                f"{_weekday_zone_name(problem)}.",
                field="weekday",
            )
        both = [s for s in in_hours if s in on_weekday]
        if not both:
            raise RotationImpossible(
                f"On {on} no candidate time keeps the host, {_label(host)}, within working hours and on a "
                f"{WEEKDAYS[problem.weekday or 0]} at once: its working day falls on another day there.",
                field="weekday",
            )
        problem.allowed.append(both)


def _check_night_limit_alone(problem: _Problem) -> None:
    """Raise when some participant has more forced night meetings in a quarter than the limit allows."""
    limit = problem.max_nights
    if limit is None:
        return
    for index, participant in enumerate(problem.participants):
        for quarter in sorted(set(problem.quarters)):
            days = [d for d, q in enumerate(problem.quarters) if q == quarter]
            forced = [d for d in days if all(problem.nights[d][s][index] for s in problem.allowed[d])]
            if len(forced) <= limit:
                continue
            dates = _dates_in_words([problem.dates[d] for d in forced])
            always = [d for d in forced if all(problem.nights[d][s][index] for s in range(len(problem.times)))]
            if len(always) > limit:
                reason = f"every candidate time on {dates} falls in its night (22:00–07:00 local)"
            else:
                reason = (
                    f"once {_meeting_constraints_in_words(problem)}, every time left on {dates} falls in its night "
                    "(22:00–07:00 local)"
                )
            raise RotationImpossible(
                f"At most {_nights(limit)} per quarter cannot be met for {participant.label} in "
                f"{_quarter_label(quarter)}: {reason}.",
                field="max_nights_per_quarter",
            )


def _explain_night_conflict(problem: _Problem) -> RotationImpossible:
    """Name the quarter and a smallest set of participants whose night limits cannot all hold at once."""
    everyone = list(range(len(problem.participants)))
    for quarter in sorted(set(problem.quarters)):
        days = [d for d, q in enumerate(problem.quarters) if q == quarter]
        if _nights_feasible(problem, days, everyone):
            continue
        conflict = list(everyone)
        for index in everyone:
            trial = [other for other in conflict if other != index]
            if not _nights_feasible(problem, days, trial):
                conflict = trial
        names = _join([problem.participants[i].label for i in conflict])
        dates = _dates_in_words([problem.dates[d] for d in days])
        every_time = [list(range(len(problem.times)))] * len(problem.dates)
        left = "every candidate time"
        if _nights_feasible(problem, days, conflict, allowed=every_time):
            left = f"once {_meeting_constraints_in_words(problem)}, every time left"
        return RotationImpossible(
            f"At most {_nights(problem.max_nights)} per quarter cannot be met for {names} at once in "
            f"{_quarter_label(quarter)}: on {dates}, {left} that spares one of them a night meeting puts another "
            "in its night.",
            field="max_nights_per_quarter",
        )
    return RotationImpossible(  # not reached: quarters are independent, so one of them must fail
        f"At most {_nights(problem.max_nights)} per quarter cannot be met for every participant at once.",
        field="max_nights_per_quarter",
    )


def _nights_feasible(
    problem: _Problem, days: list[int], indexes: list[int], *, allowed: list[list[int]] | None = None
) -> bool:
    from ortools.sat.python import cp_model

    allowed = allowed or problem.allowed
    model = cp_model.CpModel()
    choose = {(d, s): model.new_bool_var(f"x{d}_{s}") for d in days for s in allowed[d]}
    for d in days:
        model.add_exactly_one(choose[d, s] for s in allowed[d])
    for index in indexes:
        model.add(
            sum(choose[d, s] for d in days for s in allowed[d] if problem.nights[d][s][index])
            <= (problem.max_nights or 0)
        )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 2.0
    return solver.solve(model) != cp_model.INFEASIBLE


def _undominated_candidates(problem: _Problem) -> list[list[int]]:
    """Per date, the allowed times that no other allowed time beats for everyone at once.

    A dominated time is never needed: swapping it for the time that dominates it raises nobody's burden, night
    count or the total. Of times that are alike for everyone the earliest is kept, which also makes ties stable.
    """
    use_nights = problem.max_nights is not None
    result = []
    for day, allowed in enumerate(problem.allowed):
        profiles: dict[tuple[int, ...], int] = {}
        for slot in allowed:
            profile = tuple(problem.loads[day][slot])
            if use_nights:
                profile += tuple(int(night) for night in problem.nights[day][slot])
            profiles.setdefault(profile, slot)
        kept = [
            slot
            for profile, slot in profiles.items()
            if not any(
                other != profile and all(a <= b for a, b in zip(other, profile, strict=True)) for other in profiles
            )
        ]
        result.append(sorted(kept))
    return result


def _best_fixed_time(problem: _Problem, *, within_constraints: bool) -> int | None:
    """The single UTC time with the lowest worst-off burden, then total, then earliest; None when no time meets the
    constraints on every date (asked for `within_constraints`)."""
    best: tuple[int, int, int] | None = None
    for slot in range(len(problem.times)):
        choice = [slot] * len(problem.dates)
        if within_constraints and (
            not all(slot in allowed for allowed in problem.allowed) or _violations(problem, choice)
        ):
            continue
        totals = _totals(problem, choice)
        key = (max(totals), sum(totals), slot)
        if best is None or key < best:
            best = key
    return best[2] if best is not None else None


def _totals(problem: _Problem, choice: list[int]) -> list[int]:
    return [
        sum(problem.loads[day][slot][index] for day, slot in enumerate(choice))
        for index in range(len(problem.participants))
    ]


def _violations(problem: _Problem, choice: list[int]) -> int:
    if problem.max_nights is None:
        return 0
    counts: dict[tuple[int, tuple[int, int]], int] = {}
    for day, slot in enumerate(choice):
        for index, night in enumerate(problem.nights[day][slot]):
            if night:
                key = (index, problem.quarters[day])
                counts[key] = counts.get(key, 0) + 1
    return sum(max(0, count - problem.max_nights) for count in counts.values())


# --- Exact: CP-SAT ----------------------------------------------------------------------------------------------


def _solve_exact(
    problem: _Problem, candidates: list[list[int]], *, time_limit: float, workers: int
) -> tuple[str, list[int]] | Literal["unknown", "infeasible"] | None:
    """Lexicographic: minimise the worst-off burden; then, holding it, minimise the total. None without OR-Tools.

    Dates on which every candidate burdens everyone alike (the same summer-time state in every zone, and the same
    quarter under a night limit) are interchangeable, so the model counts how many of them get each time instead
    of choosing a time per date: the same optimum without the symmetric copies that slow the proof.
    """
    try:
        from ortools.sat.python import cp_model
    except ImportError:
        return None
    started = clock.perf_counter()
    groups = _alike_dates(problem, candidates)
    people = range(len(problem.participants))
    model = cp_model.CpModel()
    count = {
        (g, s): model.new_int_var(0, len(days), f"n{g}_{s}")
        for g, days in enumerate(groups)
        for s in candidates[days[0]]
    }
    for g, days in enumerate(groups):
        model.add(sum(count[g, s] for s in candidates[days[0]]) == len(days))

    def load(p: int) -> list[tuple[int, cp_model.IntVar]]:
        return [(problem.loads[groups[g][0]][s][p], variable) for (g, s), variable in count.items()]

    upper = sum(max(problem.loads[d][s][p] for s in slots for p in people) for d, slots in enumerate(candidates))
    worst = model.new_int_var(0, upper, "worst")
    # Participants alike on every candidate (neighbours sharing a zone's rules) need one constraint between them.
    profiles = {tuple(points for points, _ in load(p)): p for p in people}
    for p in sorted(profiles.values()):
        model.add(sum(points * variable for points, variable in load(p)) <= worst)
    if problem.max_nights is not None:
        for quarter in sorted(set(problem.quarters)):
            in_quarter = [(g, s) for (g, s) in count if problem.quarters[groups[g][0]] == quarter]
            for p in people:
                nights = [count[g, s] for (g, s) in in_quarter if problem.nights[groups[g][0]][s][p]]
                if nights:
                    model.add(sum(nights) <= problem.max_nights)

    def solve(limit: float) -> tuple[bool, dict[tuple[int, int], int]] | None:
        """(proven optimal, counts), or None when nothing was found in time."""
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(limit, 0.0)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = 0
        # Workers racing each other return a different one of several equally good rotations from run to run;
        # interleaving them one task at a time keeps the answer the same for the same input (and, measured on the
        # benchmark, is as fast here as racing them, where larger batches were five times slower).
        solver.parameters.interleave_search = workers > 1
        solver.parameters.interleave_batch_size = 1
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            raise _Infeasible
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return status == cp_model.OPTIMAL, {key: int(solver.value(variable)) for key, variable in count.items()}

    model.minimize(worst)
    try:
        first = solve(time_limit * 0.6)
    except _Infeasible:
        return "infeasible"
    if first is None:
        return "unknown"
    proven, counts = first
    model.add(worst <= max(sum(problem.loads[groups[g][0]][s][p] * n for (g, s), n in counts.items()) for p in people))
    for key, variable in count.items():
        model.add_hint(variable, counts[key])
    model.minimize(sum(sum(problem.loads[groups[g][0]][s]) * variable for (g, s), variable in count.items()))
    try:
        second = solve(time_limit - (clock.perf_counter() - started))
    except _Infeasible:  # cannot happen: the first phase's answer meets every constraint of the second
        second = None
    if second is None:
        proven = False
    else:
        optimal, counts = second
        proven = proven and optimal
    choice = [0] * len(problem.dates)
    for g, days in enumerate(groups):
        slots = {s: counts[g, s] for s in candidates[days[0]] if counts[g, s]}
        for day, slot in zip(days, _alternate(slots), strict=True):
            choice[day] = slot
    return (SOLVER_OPTIMAL if proven else SOLVER_FEASIBLE), choice


def _alike_dates(problem: _Problem, candidates: list[list[int]]) -> list[list[int]]:
    groups: dict[object, list[int]] = {}
    for day, slots in enumerate(candidates):
        quarter = problem.quarters[day] if problem.max_nights is not None else None
        profile = tuple((s, tuple(problem.loads[day][s]), tuple(problem.nights[day][s])) for s in slots)
        groups.setdefault((quarter, profile), []).append(day)
    return list(groups.values())


def _alternate(counts: dict[int, int]) -> list[int]:
    """Order a group's times so the same time does not come twice in a row where that can be avoided."""
    remaining = dict(counts)
    order: list[int] = []
    for _ in range(sum(counts.values())):
        options = [s for s in sorted(remaining) if remaining[s] and (not order or s != order[-1])]
        pick = max(options or [order[-1]], key=lambda s: (remaining[s], -s))
        remaining[pick] -= 1
        order.append(pick)
    return order


class _Infeasible(Exception):
    pass


# --- Heuristic: greedy start, then local search with restarts ------------------------------------------------------


def _solve_heuristic(problem: _Problem, candidates: list[list[int]], fixed: list[int] | None) -> list[int] | None:
    """A fast, deterministic search; never worse than the best fixed time, which is one of its starting points."""
    starts = [_greedy(problem, candidates)]
    if fixed is not None:
        starts.append(fixed)
    best: list[int] | None = None
    for start in starts:
        found = _iterated_local_search(problem, candidates, start)
        if best is None or _key(problem, found) < _key(problem, best):
            best = found
    assert best is not None
    return best if _violations(problem, best) == 0 else None


def _key(problem: _Problem, choice: list[int]) -> tuple[int, int, int, int]:
    """Night-limit breaches first, then the worst-off burden, how many carry it, and the total."""
    totals = _totals(problem, choice)
    worst = max(totals)
    return (_violations(problem, choice), worst, totals.count(worst), sum(totals))


def _greedy(problem: _Problem, candidates: list[list[int]]) -> list[int]:
    """Date by date, the time that keeps the running key lowest (a partial choice covers the first dates)."""
    choice: list[int] = []
    for slots in candidates:
        best = min(slots, key=lambda slot: (_key(problem, [*choice, slot]), slot))
        choice.append(best)
    return choice


def _iterated_local_search(problem: _Problem, candidates: list[list[int]], start: list[int]) -> list[int]:
    rng = random.Random(_HEURISTIC_SEED)
    best = _descend(problem, candidates, list(start))
    best_key = _key(problem, best)
    for _ in range(_HEURISTIC_RESTARTS):
        trial = list(best)
        for day in rng.sample(range(len(trial)), k=min(2, len(trial))):
            trial[day] = rng.choice(candidates[day])
        trial = _descend(problem, candidates, trial)
        trial_key = _key(problem, trial)
        if trial_key < best_key:
            best, best_key = trial, trial_key
    return best


def _descend(problem: _Problem, candidates: list[list[int]], choice: list[int]) -> list[int]:
    """Move one date to another time while that improves the key; best move first, ties to the earliest."""
    limit = problem.max_nights
    totals = _totals(problem, choice)
    counts: dict[tuple[int, int], list[int]] = {}
    for quarter in set(problem.quarters):
        counts[quarter] = [0] * len(problem.participants)
    for day, slot in enumerate(choice):
        for index, night in enumerate(problem.nights[day][slot]):
            counts[problem.quarters[day]][index] += night
    current = _key(problem, choice)
    while True:
        best_move: tuple[int, int] | None = None
        best_key = current
        for day, slots in enumerate(candidates):
            kept = choice[day]
            old_loads, old_nights = problem.loads[day][kept], problem.nights[day][kept]
            quarter_counts = counts[problem.quarters[day]]
            for slot in slots:
                if slot == kept:
                    continue
                new_loads, new_nights = problem.loads[day][slot], problem.nights[day][slot]
                trial = [t - a + b for t, a, b in zip(totals, old_loads, new_loads, strict=True)]
                violations = current[0]
                if limit is not None:
                    for count, before, after in zip(quarter_counts, old_nights, new_nights, strict=True):
                        if before != after:
                            violations += max(0, count - before + after - limit) - max(0, count - limit)
                worst = max(trial)
                key = (violations, worst, trial.count(worst), sum(trial))
                if key < best_key:
                    best_move, best_key = (day, slot), key
        if best_move is None:
            return choice
        day, slot = best_move
        quarter_counts = counts[problem.quarters[day]]
        for index in range(len(totals)):
            totals[index] += problem.loads[day][slot][index] - problem.loads[day][choice[day]][index]
            quarter_counts[index] += problem.nights[day][slot][index] - problem.nights[day][choice[day]][index]
        choice[day] = slot
        current = best_key


# --- Results and words -------------------------------------------------------------------------------------------


def _schedule(problem: _Problem, choice: list[int]) -> Schedule:
    ledgers = []
    for index, participant in enumerate(problem.participants):
        zone = _zone(participant.tz)
        entries = []
        cumulative = 0
        for day, slot in enumerate(choice):
            starts_at = problem.starts_at(day, slot)
            points = problem.loads[day][slot][index]
            cumulative += points
            entries.append(
                LedgerEntry(
                    starts_at=starts_at,
                    local_start=starts_at.astimezone(zone),
                    category=problem.categories[day][slot][index],
                    points=points,
                    cumulative=cumulative,
                )
            )
        ledgers.append(Ledger(participant=participant, entries=tuple(entries)))
    worst = max(ledger.total for ledger in ledgers)
    return Schedule(
        starts_at=tuple(problem.starts_at(day, slot) for day, slot in enumerate(choice)),
        ledgers=tuple(ledgers),
        worst_off=worst,
        worst_off_keys=tuple(ledger.participant.key for ledger in ledgers if ledger.total == worst),
        total=sum(ledger.total for ledger in ledgers),
    )


def _explain(
    problem: _Problem,
    rotation: Schedule,
    fixed: Schedule,
    fixed_meets_constraints: bool,
    solver: str,
    fallback_reason: str,
) -> str:
    meetings = f"{len(problem.dates)} meeting{'s' if len(problem.dates) != 1 else ''}"
    worst = f"{_worst_off_in_words(problem, rotation)} {_carries(rotation)} {_points(rotation.worst_off)}"
    fixed_time = f"{fixed.starts_at[0]:%H:%M} UTC"
    fixed_worst = (
        f"{_worst_off_in_words(problem, fixed, short=True)} {'is' if len(fixed.worst_off_keys) == 1 else 'are'} "
        "worst off"
    )
    totals = f"All participants together carry {rotation.total} points with the rotation and {fixed.total} with the "
    parts = []
    if not fixed_meets_constraints:
        parts.append(
            f"No single time meets the constraints on every date, so the time rotates. Over {meetings} {worst}; "
            f"the best fixed time if the constraints were dropped, {fixed_time}, would give {fixed.worst_off}, "
            f"where {fixed_worst}."
        )
        parts.append(f"{totals}fixed time.")
    elif rotation.worst_off == 0:
        parts.append(
            f"At {fixed_time} every meeting falls inside every participant's working hours; no need to rotate."
        )
    elif rotation.worst_off < fixed.worst_off:
        parts.append(
            f"Rotating the time shares the unsocial and night hours. Over {meetings} {worst}, against "
            f"{fixed.worst_off} with the best fixed time ({fixed_time} every meeting), where {fixed_worst}."
        )
        if rotation.total > fixed.total:
            parts.append(
                f"{totals}fixed time: the rotation moves bad hours from the few who would always have them to more "
                "members, which is its purpose."
            )
        else:
            parts.append(f"{totals}fixed time.")
    elif rotation.total < fixed.total:
        parts.append(
            f"Rotating the time cannot lower the worst-off burden: over {meetings} {worst}, as with the best fixed "
            f"time ({fixed_time}); it lowers the total all participants carry from {fixed.total} to {rotation.total}."
        )
    else:
        parts.append(
            f"No rotation does better than keeping {fixed_time}: over {meetings} {worst}, and all participants "
            f"together carry {rotation.total} points."
        )
    points = problem.points
    parts.append(
        f"Points per meeting: {points.working} inside working hours (08:00–19:00 local), {points.unsocial} for "
        f"unsocial hours (07:00–08:00, 19:00–22:00), {points.night} for night (22:00–07:00); a meeting counts at the "
        "worst hours it touches, on its actual date, summer time included."
    )
    if problem.host is not None or problem.weekday is not None or problem.max_nights is not None:
        parts.append(f"Every meeting keeps to the constraints: {_constraints_in_words(problem)}.")
    if solver == SOLVER_OPTIMAL:
        parts.append(
            "Solved exactly (OR-Tools CP-SAT): no rotation has a lower worst-off burden, and none with that "
            "worst-off burden has a lower total."
        )
    elif solver == SOLVER_FEASIBLE:
        parts.append(
            "OR-Tools CP-SAT reached its time limit before proving this the best rotation; it is the best it found."
        )
    else:
        reason = f"{fallback_reason}, so " if fallback_reason else ""
        parts.append(
            f"{reason[:1].upper()}{reason[1:]}{'a' if reason else 'A'} fast search chose these times; it is never "
            "worse than the best fixed time but may miss the best rotation."
        )
    return " ".join(parts)


def _worst_off_in_words(problem: _Problem, schedule: Schedule, *, short: bool = False) -> str:
    labels = [participant.label for participant in problem.participants if participant.key in schedule.worst_off_keys]
    shown = _join(labels) if len(labels) <= 3 else f"{', '.join(labels[:3])} and {len(labels) - 3} more"
    if short:
        return shown
    return f"the worst-off member, {shown}," if len(labels) == 1 else f"the worst-off members, {shown},"


def _carries(schedule: Schedule) -> str:
    return "carries" if len(schedule.worst_off_keys) == 1 else "each carry"


def _points(value: int) -> str:
    return f"{value} burden point{'s' if value != 1 else ''}"


def _nights(limit: int | None) -> str:
    return f"{limit} night meeting{'s' if limit != 1 else ''}"


def _quarter_label(quarter: tuple[int, int]) -> str:
    return f"Q{quarter[1]} {quarter[0]}"


def _label(participant: Participant | None) -> str:
    return participant.label if participant is not None else "no host"


def _dates_in_words(dates: list[date]) -> str:
    if len(dates) <= 4:
        return ", ".join(str(on) for on in dates)
    return f"the {len(dates)} dates from {dates[0]} to {dates[-1]}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _weekday_zone_name(problem: _Problem) -> str:
    return problem.host.tz if problem.host is not None else "UTC"


def _meeting_constraints_in_words(problem: _Problem) -> str:
    said = []
    if problem.host is not None:
        said.append(f"the host, {problem.host.label}, is kept within working hours")
    if problem.weekday is not None:
        said.append(f"meetings are kept on a {WEEKDAYS[problem.weekday]} in {_weekday_zone_name(problem)}")
    return " and ".join(said)


def _constraints_in_words(problem: _Problem) -> str:
    said = []
    if problem.host is not None:
        said.append(f"the host, {problem.host.label}, is within working hours")
    if problem.max_nights is not None:
        said.append(f"nobody has more than {_nights(problem.max_nights)} a quarter")
    if problem.weekday is not None:
        said.append(f"it starts on a {WEEKDAYS[problem.weekday]} in {_weekday_zone_name(problem)}")
    return "; ".join(said)
