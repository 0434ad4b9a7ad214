"""A rotation's results: each participant's ledger, and the explanation of the plan in plain words."""

from __future__ import annotations

from datetime import date

from coalition.meetings.rotation.burden import (
    SOLVER_FEASIBLE,
    SOLVER_OPTIMAL,
    WEEKDAYS,
    Ledger,
    LedgerEntry,
    Participant,
    Schedule,
    zone_info,
)
from coalition.meetings.rotation.problem import Problem


def schedule_of(problem: Problem, choice: list[int]) -> Schedule:
    ledgers = []
    for index, participant in enumerate(problem.participants):
        zone = zone_info(participant.tz)
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


def explain(
    problem: Problem,
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
        parts.append(f"Every meeting keeps to the constraints: {constraints_in_words(problem)}.")
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


def _worst_off_in_words(problem: Problem, schedule: Schedule, *, short: bool = False) -> str:
    labels = [participant.label for participant in problem.participants if participant.key in schedule.worst_off_keys]
    shown = join_words(labels) if len(labels) <= 3 else f"{', '.join(labels[:3])} and {len(labels) - 3} more"
    if short:
        return shown
    return f"the worst-off member, {shown}," if len(labels) == 1 else f"the worst-off members, {shown},"


def _carries(schedule: Schedule) -> str:
    return "carries" if len(schedule.worst_off_keys) == 1 else "each carry"


def _points(value: int) -> str:
    return f"{value} burden point{'s' if value != 1 else ''}"


def nights_in_words(limit: int | None) -> str:
    return f"{limit} night meeting{'s' if limit != 1 else ''}"


def quarter_label(quarter: tuple[int, int]) -> str:
    return f"Q{quarter[1]} {quarter[0]}"


def label_of(participant: Participant | None) -> str:
    return participant.label if participant is not None else "no host"


def dates_in_words(dates: list[date]) -> str:
    if len(dates) <= 4:
        return ", ".join(str(on) for on in dates)
    return f"the {len(dates)} dates from {dates[0]} to {dates[-1]}"


def join_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def weekday_zone_name(problem: Problem) -> str:
    return problem.host.tz if problem.host is not None else "UTC"


def meeting_constraints_in_words(problem: Problem) -> str:
    said = []
    if problem.host is not None:
        said.append(f"the host, {problem.host.label}, is kept within working hours")
    if problem.weekday is not None:
        said.append(f"meetings are kept on a {WEEKDAYS[problem.weekday]} in {weekday_zone_name(problem)}")
    return " and ".join(said)


def constraints_in_words(problem: Problem) -> str:
    said = []
    if problem.host is not None:
        said.append(f"the host, {problem.host.label}, is within working hours")
    if problem.max_nights is not None:
        said.append(f"nobody has more than {nights_in_words(problem.max_nights)} a quarter")
    if problem.weekday is not None:
        said.append(f"it starts on a {WEEKDAYS[problem.weekday]} in {weekday_zone_name(problem)}")
    return "; ".join(said)
