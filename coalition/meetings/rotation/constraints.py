"""The rotation's constraints checked one at a time, so an impossible rotation names the constraint that fails."""

from __future__ import annotations

from datetime import UTC, tzinfo

from coalition.meetings.rotation.burden import WEEKDAYS, Category, RotationImpossible, zone_info
from coalition.meetings.rotation.problem import Problem
from coalition.meetings.rotation.words import (
    dates_in_words,
    join_words,
    label_of,
    meeting_constraints_in_words,
    nights_in_words,
    quarter_label,
    weekday_zone_name,
)


def check_meeting_constraints(problem: Problem) -> None:
    """Fill `allowed`, raising on the first date where the host's hours or the weekday leave no time."""
    host = problem.host
    host_index = problem.participants.index(host) if host is not None else None
    weekday_zone: tzinfo = zone_info(host.tz) if host is not None else UTC
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
                f"{weekday_zone_name(problem)}.",
                field="weekday",
            )
        both = [s for s in in_hours if s in on_weekday]
        if not both:
            raise RotationImpossible(
                f"On {on} no candidate time keeps the host, {label_of(host)}, within working hours and on a "
                f"{WEEKDAYS[problem.weekday or 0]} at once: its working day falls on another day there.",
                field="weekday",
            )
        problem.allowed.append(both)


def check_night_limit_alone(problem: Problem) -> None:
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
            dates = dates_in_words([problem.dates[d] for d in forced])
            always = [d for d in forced if all(problem.nights[d][s][index] for s in range(len(problem.times)))]
            if len(always) > limit:
                reason = f"every candidate time on {dates} falls in its night (22:00–07:00 local)"
            else:
                reason = (
                    f"once {meeting_constraints_in_words(problem)}, every time left on {dates} falls in its night "
                    "(22:00–07:00 local)"
                )
            raise RotationImpossible(
                f"At most {nights_in_words(limit)} per quarter cannot be met for {participant.label} in "
                f"{quarter_label(quarter)}: {reason}.",
                field="max_nights_per_quarter",
            )


def explain_night_conflict(problem: Problem) -> RotationImpossible:
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
        names = join_words([problem.participants[i].label for i in conflict])
        dates = dates_in_words([problem.dates[d] for d in days])
        every_time = [list(range(len(problem.times)))] * len(problem.dates)
        left = "every candidate time"
        if _nights_feasible(problem, days, conflict, allowed=every_time):
            left = f"once {meeting_constraints_in_words(problem)}, every time left"
        return RotationImpossible(
            f"At most {nights_in_words(problem.max_nights)} per quarter cannot be met for {names} at once in "
            f"{quarter_label(quarter)}: on {dates}, {left} that spares one of them a night meeting puts another "
            "in its night.",
            field="max_nights_per_quarter",
        )
    return RotationImpossible(  # not reached: quarters are independent, so one of them must fail
        f"At most {nights_in_words(problem.max_nights)} per quarter cannot be met for every participant at once.",
        field="max_nights_per_quarter",
    )


def _nights_feasible(
    problem: Problem, days: list[int], indexes: list[int], *, allowed: list[list[int]] | None = None
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
