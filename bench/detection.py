"""Benchmark for the outage detector of the rapid-response app (issue 7).

Synthetic signals for 2,000 entities × 7 days of 5-minute bins per kind of signal, with outages of 1–48 hours planted
in 30 % of the entities; `detect` must find them with event-level precision and recall ≥ 0.9 and scan the whole
matrix in ≤ 1 s on this 2-core machine. A per-entity pure-Python version of the same method runs on 200 entities in
the same process, as the baseline for the speed-up (and to check that both find the same events).

Run: .venv/bin/python bench/detection.py                  (--entities N, --seed S)
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coalition.response.detection import COUNT_SIGNIFICANCE, THRESHOLDS, Outage, detect

BIN_SECONDS = 300
PER_DAY = 86_400 // BIN_SECONDS
DAYS = 7
START_AT = datetime(2026, 11, 23, tzinfo=UTC)
TARGET_SCORE = 0.9
TARGET_SECONDS = 1.0
NAIVE_ENTITIES = 200


@dataclass(frozen=True)
class Profile:
    """How one kind of signal behaves: the shape of its day, its noise, and the outages it sees."""

    daily_amplitude: float  # relative swing of the daily sinusoid
    day_to_day: float  # standard deviation of each day's level (weekday / weekend and drift)
    noise: float  # multiplicative Gaussian noise per bin
    dip_to: tuple[float, float]  # single-bin dips (not outages) fall to a ratio in this range
    partial_depth: tuple[float, float]  # ratio kept by a partial outage; a full shutdown keeps 0–5 %
    counted: bool  # values are counts of chance events: Poisson noise on top


PROFILES = {
    # Visible prefixes barely move over a day; a route flap removes a few for one bin.
    "bgp": Profile(
        daily_amplitude=0.002,
        day_to_day=0.001,
        noise=0.001,
        dip_to=(0.9, 0.98),
        partial_depth=(0.5, 0.95),
        counted=False,
    ),
    # Responsive /24s follow the day (home networks switched off at night), with a few % of probing noise.
    "active_probing": Profile(
        daily_amplitude=0.08, day_to_day=0.02, noise=0.03, dip_to=(0.6, 0.75), partial_depth=(0.2, 0.7), counted=True
    ),
    # Darknet sources: strongly diurnal and noisy.
    "telescope": Profile(
        daily_amplitude=0.4, day_to_day=0.05, noise=0.1, dip_to=(0.1, 0.3), partial_depth=(0.05, 0.2), counted=True
    ),
}


@dataclass(frozen=True)
class Planted:
    entity: int
    start_bin: int
    end_bin: int
    depth: float


def synthesise(kind: str, entities: int, rng: np.random.Generator) -> tuple[np.ndarray, list[Planted]]:
    """Signals of one kind and the outages planted in them.

    - scale log-uniform over 10–100,000 (a small AS to a large country), a daily sinusoid at a random phase (time
      zones), each day's level varied, multiplicative Gaussian noise per bin, and for the counted kinds (active
      probing, telescope) Poisson noise on top (±30 % at 10 a bin);
    - 1 % of bins missing at random, and 3 % of entities with a 1–6 hour gap of missing data (a collector down);
    - 0.3 % of bins a single-bin dip (to `dip_to`) or spike (up to +30 %): noise, not outages;
    - 30 % of entities have an outage (a fifth of those a second one at least 12 hours after the first), lasting
      1–48 hours (log-uniform), starting anywhere from the start of day 2 (the first day has no baseline) as long as
      it ends by the end of day 7; half are full shutdowns (0–5 % of the signal left), half partial.
    """
    profile = PROFILES[kind]
    bins = DAYS * PER_DAY
    scale = 10 ** rng.uniform(1, 5, entities)[:, None]
    phase = rng.uniform(0, 2 * np.pi, entities)[:, None]
    clock = np.arange(bins)[None, :]
    daily = 1 + profile.daily_amplitude * np.sin(2 * np.pi * clock / PER_DAY + phase)
    day_level = np.repeat(1 + profile.day_to_day * rng.standard_normal((entities, DAYS)), PER_DAY, axis=1)
    values = scale * daily * day_level * (1 + profile.noise * rng.standard_normal((entities, bins)))

    noise_bins = rng.random((entities, bins)) < 0.003
    dips = rng.uniform(*profile.dip_to, (entities, bins))
    spikes = rng.uniform(1.05, 1.3, (entities, bins))
    values = np.where(noise_bins, values * np.where(rng.random((entities, bins)) < 0.5, dips, spikes), values)

    planted: list[Planted] = []
    for entity in np.flatnonzero(rng.random(entities) < 0.3):
        earliest = PER_DAY
        for _ in range(2 if rng.random() < 0.2 else 1):
            length = round(12 * math.exp(rng.uniform(math.log(1), math.log(48))))
            if earliest + length > bins:
                break
            first = int(rng.integers(earliest, bins - length + 1))
            full = rng.random() < 0.5
            depth = rng.uniform(0, 0.05) if full else rng.uniform(*profile.partial_depth)
            values[entity, first : first + length] *= depth
            planted.append(Planted(int(entity), first, first + length, depth))
            earliest = first + length + 12 * 12

    if profile.counted:
        values = rng.poisson(values).astype(float)
    values[rng.random((entities, bins)) < 0.01] = np.nan
    for entity in np.flatnonzero(rng.random(entities) < 0.03):
        length = int(rng.integers(12, 73))
        first = int(rng.integers(0, bins - length))
        values[entity, first : first + length] = np.nan
    return values, planted


@dataclass(frozen=True)
class Score:
    planted: int
    detected: int
    precision: float
    recall: float
    start_error_minutes: float
    end_error_minutes: float


def score(planted: list[Planted], detected: list[Outage]) -> Score:
    """Event level: a detection is right if it overlaps a planted outage of its entity; each planted one counts once,
    found if any detection overlaps it (its start error taken from the earliest of them)."""
    by_entity: dict[int, list[Outage]] = {}
    for outage in detected:
        by_entity.setdefault(outage.entity, []).append(outage)
    matched: set[Outage] = set()
    found = 0
    start_errors: list[int] = []
    end_errors: list[int] = []
    for event in planted:
        overlapping = [
            outage
            for outage in by_entity.get(event.entity, [])
            if outage.start_bin < event.end_bin and event.start_bin < outage.end_bin
        ]
        if overlapping:
            found += 1
            matched.update(overlapping)
            start_errors.append(abs(overlapping[0].start_bin - event.start_bin))
            end_errors.append(abs(overlapping[-1].end_bin - event.end_bin))
    bin_minutes = BIN_SECONDS / 60
    return Score(
        planted=len(planted),
        detected=len(detected),
        precision=len(matched) / len(detected) if detected else 1.0,
        recall=found / len(planted) if planted else 1.0,
        start_error_minutes=statistics.median(start_errors) * bin_minutes if start_errors else math.nan,
        end_error_minutes=statistics.median(end_errors) * bin_minutes if end_errors else math.nan,
    )


def naive_detect(values: np.ndarray, kind: str) -> list[tuple[int, int, int]]:
    """The same method, one entity and one bin at a time in plain Python: (entity, start_bin, end_bin) events."""
    threshold = THRESHOLDS[kind]
    significance = COUNT_SIGNIFICANCE[kind]
    found = []
    for entity, row in enumerate(values.tolist()):
        bins = len(row)
        smoothed = []
        for index in range(bins):
            before, here, after = row[max(index - 1, 0)], row[index], row[min(index + 1, bins - 1)]
            smoothed.append(_fmax(_fmin(before, here), _fmin(_fmax(before, here), after)))
        ratio = [math.nan] * bins
        below = [False] * bins
        for index in range(PER_DAY, bins):
            history = [
                smoothed[earlier]
                for earlier in range(index % PER_DAY, index, PER_DAY)
                if not math.isnan(smoothed[earlier]) and not below[earlier]
            ]
            baseline = statistics.median(history) if history else math.nan
            if baseline >= 1.0:
                ratio[index] = row[index] / baseline
                below[index] = ratio[index] < threshold and baseline - row[index] > significance * math.sqrt(baseline)
        group: list[int] = []
        clear_since = 0
        for index in range(bins + 1):
            if index < bins and below[index]:
                if group and clear_since > 2:
                    if len(group) >= 3:
                        found.append((entity, group[0], group[-1] + 1))
                    group = []
                group.append(index)
                clear_since = 0
            elif index == bins:
                if len(group) >= 3:
                    found.append((entity, group[0], group[-1] + 1))
            elif not math.isnan(ratio[index]):
                clear_since += 1
    return found


def _fmin(first: float, second: float) -> float:
    return second if math.isnan(first) else first if math.isnan(second) else min(first, second)


def _fmax(first: float, second: float) -> float:
    return second if math.isnan(first) else first if math.isnan(second) else max(first, second)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    rng = np.random.default_rng(arguments.seed)
    minutes = BIN_SECONDS // 60
    print(f"{arguments.entities:,} entities × {DAYS} days × {PER_DAY} bins of {minutes} min, seed {arguments.seed}")
    print()
    print("| kind | threshold | planted | detected | precision | recall | median start error | median end error |")
    print("|---|---|---|---|---|---|---|---|")
    timings: dict[str, tuple[float, float, float, int]] = {}
    for kind in PROFILES:
        values, planted = synthesise(kind, arguments.entities, rng)
        detected = detect(values, kind, bin_seconds=BIN_SECONDS, start=START_AT)
        result = score(planted, detected)
        print(
            f"| {kind} | {THRESHOLDS[kind]} | {result.planted} | {result.detected} | {result.precision:.3f} "
            f"| {result.recall:.3f} | {result.start_error_minutes:g} min | {result.end_error_minutes:g} min |"
        )
        runs = []
        for _ in range(5):
            began = time.perf_counter()
            detect(values, kind, bin_seconds=BIN_SECONDS, start=START_AT)
            runs.append(time.perf_counter() - began)
        sample = values[:NAIVE_ENTITIES]
        began = time.perf_counter()
        naive = naive_detect(sample, kind)
        naive_seconds = (time.perf_counter() - began) * arguments.entities / NAIVE_ENTITIES
        fast = {(o.entity, o.start_bin, o.end_bin) for o in detect(sample, kind, bin_seconds=BIN_SECONDS)}
        disagreements = len(fast.symmetric_difference(naive))
        timings[kind] = (statistics.median(runs), max(runs), naive_seconds, disagreements)
    print()
    print(
        "| kind | full scan, median of 5 (max) | naive Python, 200 entities scaled | speed-up | naive vs vectorised |"
    )
    print("|---|---|---|---|---|")
    for kind, (median, slowest, naive_seconds, disagreements) in timings.items():
        print(
            f"| {kind} | {median:.3f} s ({slowest:.3f} s) | {naive_seconds:.1f} s | {naive_seconds / median:,.0f}× "
            f"| {disagreements} events differ |"
        )
    worst = max(median for median, _, _, _ in timings.values())
    print()
    verdict = "met" if worst <= TARGET_SECONDS else "NOT met"
    print(f"slowest full scan {worst:.3f} s (target ≤ {TARGET_SECONDS:g} s): {verdict}")


if __name__ == "__main__":
    main()
