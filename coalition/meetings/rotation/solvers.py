"""Solvers of a rotation problem: OR-Tools CP-SAT (lexicographic: worst-off, then total) and a deterministic local
search when OR-Tools is missing or finds nothing in time."""

from __future__ import annotations

import random
import time as clock
from typing import Literal

from coalition.meetings.rotation.burden import SOLVER_FEASIBLE, SOLVER_OPTIMAL
from coalition.meetings.rotation.problem import Problem, ranking_key, totals_of, violations_of

# The local search is bounded by a count of restarts, not by time, so that it answers the same on any machine.
_HEURISTIC_RESTARTS = 60


_HEURISTIC_SEED = 20271


def solve_exact(
    problem: Problem, candidates: list[list[int]], *, time_limit: float, workers: int
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


def _alike_dates(problem: Problem, candidates: list[list[int]]) -> list[list[int]]:
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


def solve_heuristic(problem: Problem, candidates: list[list[int]], fixed: list[int] | None) -> list[int] | None:
    """A fast, deterministic search; never worse than the best fixed time, which is one of its starting points."""
    starts = [_greedy(problem, candidates)]
    if fixed is not None:
        starts.append(fixed)
    best: list[int] | None = None
    for start in starts:
        found = _iterated_local_search(problem, candidates, start)
        if best is None or ranking_key(problem, found) < ranking_key(problem, best):
            best = found
    assert best is not None
    return best if violations_of(problem, best) == 0 else None


def _greedy(problem: Problem, candidates: list[list[int]]) -> list[int]:
    """Date by date, the time that keeps the running key lowest (a partial choice covers the first dates)."""
    choice: list[int] = []
    for slots in candidates:
        best = min(slots, key=lambda slot: (ranking_key(problem, [*choice, slot]), slot))
        choice.append(best)
    return choice


def _iterated_local_search(problem: Problem, candidates: list[list[int]], start: list[int]) -> list[int]:
    rng = random.Random(_HEURISTIC_SEED)
    best = _descend(problem, candidates, list(start))
    best_key = ranking_key(problem, best)
    for _ in range(_HEURISTIC_RESTARTS):
        trial = list(best)
        for day in rng.sample(range(len(trial)), k=min(2, len(trial))):
            trial[day] = rng.choice(candidates[day])
        trial = _descend(problem, candidates, trial)
        trial_key = ranking_key(problem, trial)
        if trial_key < best_key:
            best, best_key = trial, trial_key
    return best


def _descend(problem: Problem, candidates: list[list[int]], choice: list[int]) -> list[int]:
    """Move one date to another time while that improves the key; best move first, ties to the earliest."""
    limit = problem.max_nights
    totals = totals_of(problem, choice)
    counts: dict[tuple[int, int], list[int]] = {}
    for quarter in set(problem.quarters):
        counts[quarter] = [0] * len(problem.participants)
    for day, slot in enumerate(choice):
        for index, night in enumerate(problem.nights[day][slot]):
            counts[problem.quarters[day]][index] += night
    current = ranking_key(problem, choice)
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
