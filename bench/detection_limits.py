"""What the seasonal outage detector cannot see, and what the long-run flag adds (issue 15, item 8).

On the synthetic signals of `bench/detection.py` (2,000 entities × 7 days per kind, the entities given no planted
outage there), three scenarios, each scored for `detect` and for `below_long_run`:
- clean: nothing planted; any flag is a false one (entities with a flag / entities);
- under way at the start: a full outage (0–5 % left) over the first 1–20 hours (log-uniform), as if it had begun
  before the series; found if a run overlaps it;
- curfew from the first day: every night, at a random hour per entity, 4–8 hours at one depth of 0–5 % per entity;
  each night found if a run overlaps it.
Timing: both scans over the whole clean matrix, median of 5; the ratio is the flag's cost beside the detector's.

Run: .venv/bin/python bench/detection_limits.py            (--entities N, --seed S)
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from detection import DAYS, PER_DAY, synthesise  # bench/detection.py: the same synthetic signals

from coalition.response.detection import Outage, below_long_run, detect

HOUR = PER_DAY // 24


def _overlaps(runs: list[Outage], entity: int, first: int, after: int) -> bool:
    return any(run.entity == entity and run.start_bin < after and first < run.end_bin for run in runs)


def _clean(kind: str, entities: int, rng: np.random.Generator) -> np.ndarray:
    values, planted = synthesise(kind, entities, rng)
    hit = {event.entity for event in planted}
    return values[[entity for entity in range(entities) if entity not in hit]]


def _seconds(scan: Callable[..., list[Outage]], values: np.ndarray, kind: str) -> float:
    times = []
    for _ in range(5):
        began = time.perf_counter()
        scan(values, kind)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    print("| kind | clean: entities flagged (detect / flag) | under way at the start: found | curfew nights: found |")
    print("|---|---|---|---|")
    timings = []
    for kind in ("bgp", "active_probing", "telescope"):
        rng = np.random.default_rng(options.seed)
        clean = _clean(kind, options.entities, rng)
        count = clean.shape[0]
        flagged = [len({run.entity for run in scan(clean, kind)}) for scan in (detect, below_long_run)]

        started = clean.copy()
        spans = [round(HOUR * math.exp(rng.uniform(0, math.log(20)))) for _ in range(count)]
        for entity, length in enumerate(spans):
            started[entity, :length] *= rng.uniform(0, 0.05)
        found_start = [
            sum(_overlaps(runs, entity, 0, length) for entity, length in enumerate(spans))
            for runs in (detect(started, kind), below_long_run(started, kind))
        ]

        curfewed = clean.copy()
        nights: list[tuple[int, int, int]] = []
        for entity in range(count):
            begin, length = int(rng.integers(0, PER_DAY)), int(rng.integers(4 * HOUR, 8 * HOUR + 1))
            depth = rng.uniform(0, 0.05)  # the same every night: the curfew is the routine
            for day in range(-1, DAYS):
                first, after = max(day * PER_DAY + begin, 0), min(day * PER_DAY + begin + length, DAYS * PER_DAY)
                if first < after:
                    curfewed[entity, first:after] *= depth
                    nights.append((entity, first, after))
        found_nights = [
            sum(_overlaps(runs, *night) for night in nights)
            for runs in (detect(curfewed, kind), below_long_run(curfewed, kind))
        ]
        print(
            f"| {kind} | {flagged[0]} / {flagged[1]} of {count} | {found_start[0]} / {found_start[1]} of {count} "
            f"| {found_nights[0]} / {found_nights[1]} of {len(nights)} |"
        )
        timings.append((kind, _seconds(detect, clean, kind), _seconds(below_long_run, clean, kind), clean.shape))
    print()
    print("| kind | matrix | detect | below_long_run | ratio |")
    print("|---|---|---|---|---|")
    for kind, seasonal, long_run, shape in timings:
        print(f"| {kind} | {shape[0]} × {shape[1]} | {seasonal:.3f} s | {long_run:.3f} s | {long_run / seasonal:.2f} |")


if __name__ == "__main__":
    main()
