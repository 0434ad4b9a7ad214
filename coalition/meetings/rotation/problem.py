"""A rotation problem: every candidate time of every date with each participant's burden, and the measures solvers
and the fixed-time comparison share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from coalition.core.errors import InvalidInput
from coalition.meetings.rotation.burden import BurdenPoints, Category, Participant, classify_meeting, zone_info


@dataclass
class Problem:
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


def build_problem(
    *,
    participants: Sequence[Participant],
    dates: Sequence[date],
    duration: timedelta,
    start_times: Sequence[time] | None,
    points: BurdenPoints,
    host: str | None,
    max_nights_per_quarter: int | None,
    weekday: int | None,
) -> Problem:
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
    zones = [zone_info(participant.tz) for participant in participants]
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
    problem = Problem(
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


def undominated_candidates(problem: Problem) -> list[list[int]]:
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


def best_fixed_time(problem: Problem, *, within_constraints: bool) -> int | None:
    """The single UTC time with the lowest worst-off burden, then total, then earliest; None when no time meets the
    constraints on every date (asked for `within_constraints`)."""
    best: tuple[int, int, int] | None = None
    for slot in range(len(problem.times)):
        choice = [slot] * len(problem.dates)
        if within_constraints and (
            not all(slot in allowed for allowed in problem.allowed) or violations_of(problem, choice)
        ):
            continue
        totals = totals_of(problem, choice)
        key = (max(totals), sum(totals), slot)
        if best is None or key < best:
            best = key
    return best[2] if best is not None else None


def totals_of(problem: Problem, choice: list[int]) -> list[int]:
    return [
        sum(problem.loads[day][slot][index] for day, slot in enumerate(choice))
        for index in range(len(problem.participants))
    ]


def violations_of(problem: Problem, choice: list[int]) -> int:
    if problem.max_nights is None:
        return 0
    counts: dict[tuple[int, tuple[int, int]], int] = {}
    for day, slot in enumerate(choice):
        for index, night in enumerate(problem.nights[day][slot]):
            if night:
                key = (index, problem.quarters[day])
                counts[key] = counts.get(key, 0) + 1
    return sum(max(0, count - problem.max_nights) for count in counts.values())


def ranking_key(problem: Problem, choice: list[int]) -> tuple[int, int, int, int]:
    """Night-limit breaches first, then the worst-off burden, how many carry it, and the total."""
    totals = totals_of(problem, choice)
    worst = max(totals)
    return (violations_of(problem, choice), worst, totals.count(worst), sum(totals))
