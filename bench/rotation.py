"""Benchmark for the fair rotation of meeting times (issue 4, PoA 3B.3).

The Freedom Online Coalition's 40 members, each at its capital's zone, meet on the second Tuesday of every month of
2027, for an hour, at a start time chosen among every half hour (UTC). The rotation is compared with the best single
fixed time on the worst-off member's burden (target: at most 0.45 times the fixed time's) and on the total; the solve
must take at most 5 s on this 2-core machine.

Run: .venv/bin/python bench/rotation.py                (add --heuristic to time the fallback alone)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from datetime import date, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("COALITION_VAR_DIR", tempfile.mkdtemp(prefix="coalition-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ENV", "development")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from coalition.demo.data import FOC_MEMBERS  # noqa: E402
from coalition.directory.reference import all_country_facts  # noqa: E402
from coalition.meetings.rotation import (  # noqa: E402
    BurdenPoints,
    Category,
    Participant,
    RotationPlan,
    Schedule,
    plan_rotation,
)

TARGET_RATIO = 0.45
TARGET_SECONDS = 5.0


def second_tuesdays(year: int) -> list[date]:
    dates = []
    for month in range(1, 13):
        first = date(year, month, 1)
        first_tuesday = first + timedelta(days=(1 - first.weekday()) % 7)
        dates.append(first_tuesday + timedelta(days=7))
    return dates


def members() -> list[Participant]:
    facts = {country.code: country for country in all_country_facts()}
    return [Participant(key=code, tz=facts[code].capital_tz) for code, _joined, _note in FOC_MEMBERS]


def nights_and_unsocial(schedule: Schedule) -> str:
    nights = sum(ledger.nights for ledger in schedule.ledgers)
    unsocial = sum(1 for ledger in schedule.ledgers for entry in ledger.entries if entry.category == Category.UNSOCIAL)
    return f"{nights} night and {unsocial} unsocial member-meetings"


def report(plan: RotationPlan) -> None:
    fixed = plan.fixed
    ratio = plan.rotation.worst_off / fixed.worst_off
    print(f"solver: {plan.solver}; solved in {plan.solve_seconds:.2f} s (target ≤ {TARGET_SECONDS:g} s)")
    print(f"best fixed time: {plan.fixed_time:%H:%M} UTC")
    print(f"worst-off burden: rotation {plan.rotation.worst_off} ({', '.join(plan.rotation.worst_off_keys)})")
    print(f"                  fixed    {fixed.worst_off} ({', '.join(fixed.worst_off_keys)})")
    print(f"ratio: {ratio:.3f} (target ≤ {TARGET_RATIO}) — {'met' if ratio <= TARGET_RATIO else 'NOT met'}")
    print(f"total burden: rotation {plan.rotation.total}, fixed {fixed.total}")
    print(f"rotation: {nights_and_unsocial(plan.rotation)}; fixed: {nights_and_unsocial(fixed)}")
    print("rotation times (UTC):", ", ".join(f"{moment:%m-%d %H:%M}" for moment in plan.rotation.starts_at))
    print("ledgers (rotation / fixed):")
    for rotated, kept in zip(plan.rotation.ledgers, fixed.ledgers, strict=True):
        print(f"  {rotated.participant.label:40} {rotated.total:3} / {kept.total:3}")
    print(plan.explanation)


def main() -> None:
    participants = members()
    dates = second_tuesdays(2027)
    print(f"{len(participants)} members, {len(dates)} meetings, one hour, candidates every 30 min")
    if "--heuristic" in sys.argv:
        report(plan_rotation(participants=participants, dates=dates, solver="heuristic"))
        return
    first = plan_rotation(participants=participants, dates=dates)  # pays for importing OR-Tools
    report(first)
    again = [plan_rotation(participants=participants, dates=dates) for _ in range(5)]
    seconds = sorted(plan.solve_seconds for plan in again)
    same = all(plan.rotation.starts_at == first.rotation.starts_at for plan in again)
    print(
        f"\nfive more runs: median {statistics.median(seconds):.2f} s, slowest {seconds[-1]:.2f} s; same times: {same}"
    )

    heuristic = plan_rotation(participants=participants, dates=dates, solver="heuristic")
    print(
        f"heuristic alone: worst-off {heuristic.rotation.worst_off}, total {heuristic.rotation.total}, "
        f"{heuristic.solve_seconds:.2f} s"
    )

    print("\nsensitivity of the ratio to the burden model (CP-SAT):")
    for label, options in [
        ("90-minute meetings", {"duration": timedelta(minutes=90)}),
        ("2-hour meetings", {"duration": timedelta(hours=2)}),
        ("candidates every hour", {"start_times": [time(hour) for hour in range(24)]}),
        ("night 2 points", {"points": BurdenPoints(night=2)}),
        ("night 5 points", {"points": BurdenPoints(night=5)}),
        ("at most 2 nights a quarter", {"max_nights_per_quarter": 2}),
    ]:
        plan = plan_rotation(participants=participants, dates=dates, **options)  # type: ignore[arg-type]
        print(
            f"  {label:28} rotation {plan.rotation.worst_off:3} / fixed {plan.fixed.worst_off:3} = "
            f"{plan.rotation.worst_off / plan.fixed.worst_off:.3f}; totals {plan.rotation.total} / "
            f"{plan.fixed.total}; {plan.solver}, {plan.solve_seconds:.2f} s"
            + ("" if plan.fixed_meets_constraints else "; no fixed time meets the limit")
        )


if __name__ == "__main__":
    main()
