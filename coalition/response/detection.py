"""Outage detection on connectivity signals, and corroboration across sources (issue 7).

Django-free and NumPy only, so the rapid-response app, a management command and `bench/detection.py` share it.

The method follows IODA's (Internet Outage Detection and Analysis, Georgia Tech / formerly CAIDA): each signal of an
entity (a country, a region, an AS) is compared with a "history" value, and an alert is raised when the current value
falls below a fixed fraction of it; the fraction depends on how noisy the kind of signal is. IODA's history is a
moving median of the recent past; ours is *seasonal*: the median of the same time of day over every previous day in
the matrix, so that a daily cycle (strong for the telescope, mild for active probing) is not mistaken for an outage.

Method, per entity and per 5-minute bin (all entities at once, one day at a time):
1. Smooth every past value with the median of it and its two neighbours, so the baseline shrugs off single-bin
   jitter, and take the median of those smoothed values at the same time of day over all previous days.
2. Leave out of that median the past bins that were themselves below the threshold: an outage of more than a day
   must not become tomorrow's "normal". (A plain median over previous days would not protect days 2–3 after it: a
   48-hour outage is two of the three days a fourth-day median sees.) The price: a permanent drop in level (a network
   renumbered away) keeps being reported until the matrix no longer contains days from before it.
3. ratio = value / baseline; bins whose baseline is missing or below `min_baseline` have no ratio (the first day never
   has one). Bins with ratio < THRESHOLDS[kind] are "below" — for the counted kinds only if the shortfall is also
   more than COUNT_SIGNIFICANCE[kind] standard deviations of a count, so that small entities' chance noise is not
   an outage.
4. Below bins separated by at most `max_gap` observed, not-below bins (missing bins do not count, as sources often go
   quiet during a shutdown) are one event; an event needs at least `min_bins` below bins (15 minutes by default), so
   a single-bin dip, or two, is not an outage.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

# Fraction of the history value below which IODA raises an alert, per data source (IODA help page, "Outage
# Detection — Detection Criteria", https://ioda.inetintel.cc.gatech.edu/help): BGP — visible prefixes are stable, so
# losing 1 % of them is already significant; active probing (Trinocular-style responsive /24 blocks) — 80 %; network
# telescope / darknet (unique source IPs) — only a fall to a quarter, as this signal is noisy and strongly diurnal.
# Time-series signals only: OONI-style anomaly ratios are judged elsewhere.
THRESHOLDS: dict[str, float] = {
    "bgp": 0.99,
    "active_probing": 0.8,
    "telescope": 0.25,
}

# Counts of responsive blocks or of darknet sources are noisy where they are small: a bin is below only if it also
# falls short of the baseline by more than this many standard deviations of a Poisson count (√baseline), so a drop
# from 9 to 5 responsive /24s is not an outage. (IODA similarly leaves out entities with too few /24s or sources.)
# Not for BGP: prefix counts do not fluctuate by chance, and losing 1 of 10 prefixes is real.
COUNT_SIGNIFICANCE: dict[str, float] = {
    "bgp": 0.0,
    "active_probing": 3.0,
    "telescope": 3.0,
}

SECONDS_PER_DAY = 86_400

# Words that say what kind of place an area is, not which: "Rakhine State" and "Rakhine" are one area.
AREA_FILLER_WORDS = frozenset(
    "and in of the state states region province district districts city county governorate division".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Outage:
    """One detected event: bins [start_bin, end_bin) of one entity (its row in the matrix)."""

    entity: int
    start_bin: int
    end_bin: int
    start_time: datetime
    end_time: datetime
    depth: float  # lowest value / baseline ratio during the event
    kind: str

    @property
    def duration(self) -> timedelta:
        return self.end_time - self.start_time


@dataclass(frozen=True)
class Evidence:
    """One source's report of a disruption, as corroboration sees it (`key` is the caller's own id for it).

    `family` is the kind of disruption it can confirm: a loss of connectivity and a blocked platform are different
    events. `area` names the part of the country the source says it touched ("" for the whole country, or not said);
    `network` is the ASN where the source names one. `ended_at` of an ongoing event is the time of the replay. `alone`
    marks evidence that may raise an alert for review with no other source (a curated source's nationwide shutdown).
    """

    key: Hashable
    source: str
    country: str
    family: str
    began_at: datetime
    ended_at: datetime
    area: str = ""
    network: int | None = None
    alone: bool = False

    @property
    def place(self) -> tuple[frozenset[str], int | None]:
        words = frozenset(re.findall(r"\w+", self.area.casefold())) - AREA_FILLER_WORDS
        return words, self.network


@dataclass(frozen=True)
class Corroboration:
    """One episode of a country's disruption and the evidence that agrees on it: a candidate for an alert.

    `members` are the evidence that makes up the episode and sets its span; `supporters` were under way during it, in
    a compatible place (an ongoing regional shutdown during a new national outage), and confirm it without widening it.
    """

    country: str
    family: str
    first_seen: datetime
    last_seen: datetime
    sources: tuple[str, ...]
    members: tuple[Hashable, ...] = ()
    supporters: tuple[Hashable, ...] = ()

    @property
    def single_source(self) -> bool:
        return len(self.sources) == 1


def detect(
    values: np.ndarray,
    kind: str,
    *,
    bin_seconds: int = 300,
    start: datetime | int = 0,
    min_bins: int = 3,
    max_gap: int = 2,
    min_baseline: float = 1.0,
) -> list[Outage]:
    """Outages in a matrix of entities × time bins (NaN = missing) of one kind of signal, ordered by entity and time.

    `start` is the time of bin 0: an aware datetime or Unix seconds. Bins are compared with the same bin offset on
    previous days, counted from bin 0. What that cannot see is found by `below_long_run`.
    """
    matrix = _check_input(values, kind, bin_seconds)
    start_at = _as_utc(start)
    ratio, below = _seasonal_scan(
        matrix,
        bin_seconds=bin_seconds,
        threshold=THRESHOLDS[kind],
        significance=COUNT_SIGNIFICANCE[kind],
        min_baseline=min_baseline,
    )
    return _events(ratio, below, kind, bin_seconds, start_at, min_bins, max_gap)


# Fraction of the long-run level below which `below_long_run` flags a run. It ignores the daily cycle, so it must
# sit under the deepest normal night: BGP has no daily cycle (IODA's 99 %); responsive /24s can lose a third or more
# at night in networks of phones and homes, so half (the importer's old rule for series too short for the detector);
# the telescope's IODA threshold, a quarter, is already below its night.
LONG_RUN_THRESHOLDS: dict[str, float] = {
    "bgp": 0.99,
    "active_probing": 0.5,
    "telescope": 0.25,
}


def below_long_run(
    values: np.ndarray,
    kind: str,
    *,
    bin_seconds: int = 300,
    start: datetime | int = 0,
    min_bins: int = 3,
    max_gap: int = 2,
    min_baseline: float = 1.0,
    min_days: int = 2,
) -> list[Outage]:
    """Runs where an entity's signal is below LONG_RUN_THRESHOLDS[kind] of its long-run level — the median of all
    its values in the matrix, at any time of day — with the count-noise guard and event rules of `detect`.

    They flag what the seasonal baseline of `detect` cannot see: a drop at the same hours every day from the first
    day on (a nightly curfew) is that time of day's normal to it, and the first day, which has no previous day, is
    never judged, so an outage already under way when the matrix starts is missed. Only where history allows: an
    entity with values on fewer than `min_days` days has no long-run level, and a drop that fills most of the matrix
    (an outage under way for the whole window, a curfew of more than half of each day) is the level itself, so
    neither method sees it. No daily cycle is allowed for, so a strongly diurnal signal may dip below its long-run
    level at night: these are flags for a person to check, beside the outages `detect` finds, not instead of them.
    """
    matrix = _check_input(values, kind, bin_seconds)
    entities, bins = matrix.shape
    per_day = SECONDS_PER_DAY // bin_seconds
    observed = ~np.isnan(matrix)
    days_seen = np.zeros(entities, dtype=np.int64)
    for first in range(0, bins, per_day):
        days_seen += observed[:, first : first + per_day].any(axis=1)
    level = np.full(entities, np.nan)
    known = days_seen >= min_days
    if known.any():
        level[known] = np.nanmedian(matrix[known], axis=1)
    level[~(level >= min_baseline)] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = matrix / level[:, None]
        shortfall = level[:, None] - matrix
        below = (ratio < LONG_RUN_THRESHOLDS[kind]) & (shortfall > COUNT_SIGNIFICANCE[kind] * np.sqrt(level[:, None]))
    return _events(ratio, below, kind, bin_seconds, _as_utc(start), min_bins, max_gap)


def _seasonal_scan(
    values: np.ndarray, *, bin_seconds: int, threshold: float, significance: float, min_baseline: float
) -> tuple[np.ndarray, np.ndarray]:
    """value / seasonal baseline for every bin (NaN where there is no usable baseline or no value), and which bins
    are below: under the threshold and, where `significance` > 0, short of the baseline by more than `significance`
    standard deviations of a count (√baseline)."""
    entities, bins = values.shape
    per_day = SECONDS_PER_DAY // bin_seconds
    days = -(-bins // per_day)
    padded = np.full((entities, days * per_day), np.nan)
    padded[:, :bins] = values
    smoothed = _median_of_three(padded).reshape(entities, days, per_day)
    current = padded.reshape(entities, days, per_day)
    ratio = np.full((entities, days, per_day), np.nan)
    below = np.zeros((entities, days, per_day), dtype=bool)
    history: list[np.ndarray] = []
    for day in range(1, days):
        previous = smoothed[:, day - 1, :].copy()
        previous[below[:, day - 1, :]] = np.nan  # yesterday's outage bins are not history
        history.append(previous)
        baseline = _nanmedian(history)
        baseline[~(baseline >= min_baseline)] = np.nan
        today = current[:, day, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio[:, day, :] = today / baseline
            below[:, day, :] = (ratio[:, day, :] < threshold) & (baseline - today > significance * np.sqrt(baseline))
    shape = (entities, days * per_day)
    return ratio.reshape(shape)[:, :bins], below.reshape(shape)[:, :bins]


def corroborate(evidence: Iterable[Evidence], *, window: timedelta, min_sources: int = 2) -> list[Corroboration]:
    """Episodes of each country's disruptions with the sources that agree on them: those seen by at least
    `min_sources` distinct sources, or holding evidence that may stand `alone`, ordered by first_seen.

    Per country and family of disruption, in order of start:
    1. Evidence joins an episode if it starts within `window` of the episode's reach and its place is compatible with
       a member's: where both name an area, one's words are all in the other's ("Rakhine" and "five townships in
       Rakhine State"); where both name a network, it is the same. A member reaches at most `window` past its start,
       so a long or ongoing event does not chain what follows it (routine blocking, a years-long regional shutdown).
    2. Other evidence that was under way within `window` of an episode's onsets, in a compatible place, supports it:
       an ongoing regional shutdown confirms a new national outage without stretching it over years.
    3. Evidence marked `alone` makes its episode an alert with one source, unless it supports a corroborated one.
    """
    if min_sources < 1:
        raise ValueError(f"min_sources must be at least 1, not {min_sources}.")
    groups: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    for item in evidence:
        if item.ended_at < item.began_at:
            raise ValueError(
                f"Evidence {item.key!r} of {item.country} from {item.source} ends ({item.ended_at}) before it "
                f"starts ({item.began_at})."
            )
        groups[(item.country, item.family)].append(item)
    found: list[Corroboration] = []
    for (country, family), items in groups.items():
        items.sort(key=lambda item: item.began_at)
        episodes = [
            (members, supporters, tuple(sorted({item.source for item in [*members, *supporters]})))
            for members, supporters in _supported_episodes(items, window)
        ]
        # Evidence that confirms a corroborated episode is part of it, not also an alert of its own.
        confirming = {
            item.key for _, supporters, sources in episodes if len(sources) >= min_sources for item in supporters
        }
        for members, supporters, sources in episodes:
            if len(sources) >= min_sources or any(item.alone and item.key not in confirming for item in members):
                found.append(
                    Corroboration(
                        country=country,
                        family=family,
                        first_seen=min(item.began_at for item in members),
                        last_seen=max(item.ended_at for item in members),
                        sources=sources,
                        members=tuple(item.key for item in members),
                        supporters=tuple(item.key for item in supporters),
                    )
                )
    found.sort(key=lambda alert: (alert.first_seen, alert.country))
    return found


def _supported_episodes(items: Sequence[Evidence], window: timedelta) -> list[tuple[list[Evidence], list[Evidence]]]:
    """Steps 1–2 of `corroborate` for one country and family, `items` in order of start: (members, supporters)."""
    episodes: list[list[Evidence]] = []
    reaches: list[datetime] = []
    places: list[set[tuple[frozenset[str], int | None]]] = []
    open_episodes: list[int] = []
    for item in items:  # 1. episodes by start, each member reaching at most a window past its start
        open_episodes = [index for index in open_episodes if item.began_at <= reaches[index] + window]
        place = item.place
        index = next((i for i in open_episodes if any(_compatible(place, other) for other in places[i])), None)
        if index is None:
            index = len(episodes)
            episodes.append([])
            reaches.append(item.began_at)
            places.append(set())
            open_episodes.append(index)
        episodes[index].append(item)
        reaches[index] = max(reaches[index], min(item.ended_at, item.began_at + window))
        places[index].add(place)
    episode_of = {item.key: index for index, members in enumerate(episodes) for item in members}
    starts = [item.began_at for item in items]
    long_ones = [item for item in items if item.ended_at - item.began_at > window]
    result = []
    for index, members in enumerate(episodes):  # 2. what was under way around the episode's onsets
        first = members[0].began_at
        near = items[
            bisect.bisect_left(starts, first - 2 * window) : bisect.bisect_right(starts, reaches[index] + window)
        ]
        candidates = [*(item for item in long_ones if item.began_at < first - 2 * window), *near]
        supporters = [
            item
            for item in candidates
            if episode_of[item.key] != index
            and item.ended_at >= first - window
            and any(_compatible(item.place, place) for place in places[index])
        ]
        result.append((members, supporters))
    return result


def _compatible(place: tuple[frozenset[str], int | None], other: tuple[frozenset[str], int | None]) -> bool:
    (words, network), (other_words, other_network) = place, other
    areas = not words or not other_words or words <= other_words or other_words <= words
    return areas and (network is None or other_network is None or network == other_network)


def _check_input(values: np.ndarray, kind: str, bin_seconds: int) -> np.ndarray:
    if kind not in THRESHOLDS:
        known = ", ".join(sorted(THRESHOLDS))
        raise ValueError(f"Unknown signal kind {kind!r}: expected one of {known}.")
    matrix = np.asarray(values, dtype=float)
    if matrix.ndim != 2:
        raise ValueError(f"Expected a 2-dimensional matrix of entities × time bins, got {matrix.ndim} dimension(s).")
    if bin_seconds <= 0 or SECONDS_PER_DAY % bin_seconds:
        raise ValueError(f"bin_seconds must divide a day (86,400 s) evenly, not {bin_seconds}.")
    return matrix


def _as_utc(start: datetime | int) -> datetime:
    if isinstance(start, datetime):
        if start.tzinfo is None:
            raise ValueError("start must be an aware datetime (UTC), not a naive one.")
        return start.astimezone(UTC)
    return datetime.fromtimestamp(int(start), UTC)


def _median_of_three(values: np.ndarray) -> np.ndarray:
    """Median of each bin and its two neighbours along time. A missing value is replaced by a neighbour (fmin and
    fmax skip NaN); the edges repeat their neighbour."""
    before = np.concatenate([values[:, :1], values[:, :-1]], axis=1)
    after = np.concatenate([values[:, 1:], values[:, -1:]], axis=1)
    return np.fmax(np.fmin(before, values), np.fmin(np.fmax(before, values), after))


def _nanmedian(layers: list[np.ndarray]) -> np.ndarray:
    """Element-wise median of a few equally shaped arrays, ignoring NaN (NaN where all are).

    An odd-even transposition sorting network over whole arrays: with ≤ 7 layers it is an order of magnitude faster
    than np.nanmedian or np.sort along a short axis, which pay a call per element.
    """
    ordered = [np.where(np.isnan(layer), np.inf, layer) for layer in layers]
    count = sum((~np.isnan(layer)).astype(np.int64) for layer in layers)
    size = len(ordered)
    for rank in range(size):
        for low in range(rank % 2, size - 1, 2):
            ordered[low], ordered[low + 1] = (
                np.minimum(ordered[low], ordered[low + 1]),
                np.maximum(ordered[low], ordered[low + 1]),
            )
    stacked = np.stack(ordered)
    lower = np.take_along_axis(stacked, np.clip((count - 1) // 2, 0, None)[None], 0)[0]
    upper = np.take_along_axis(stacked, np.clip(count // 2, 0, size - 1)[None], 0)[0]
    with np.errstate(invalid="ignore"):
        median = (lower + upper) / 2
    median[count == 0] = np.nan
    return np.asarray(median)


def _events(
    ratio: np.ndarray,
    below_bins: np.ndarray,
    kind: str,
    bin_seconds: int,
    start_at: datetime,
    min_bins: int,
    max_gap: int,
) -> list[Outage]:
    bins = ratio.shape[1]
    below = below_bins.ravel()
    clear = ~np.isnan(ratio).ravel() & ~below  # observed and normal; NaN bins are neither
    # Work on the few below bins only, in row-major order (entity, then time).
    positions = np.flatnonzero(below)
    if positions.size == 0:
        return []
    clear_upto = np.cumsum(clear)
    previous, following = positions[:-1], positions[1:]
    joined = (following // bins == previous // bins) & (clear_upto[following] - clear_upto[previous] <= max_gap)
    group_starts = np.flatnonzero(np.concatenate([[True], ~joined]))
    group_ends = np.concatenate([group_starts[1:], [positions.size]])  # exclusive, in `positions`
    below_counts = group_ends - group_starts
    depths = np.minimum.reduceat(ratio.ravel()[positions], group_starts)
    keep = below_counts >= min_bins
    found = []
    for first_at, last_at, depth in zip(
        positions[group_starts[keep]], positions[group_ends[keep] - 1], depths[keep], strict=True
    ):
        entity, first = divmod(int(first_at), bins)
        last = int(last_at) - entity * bins + 1
        found.append(
            Outage(
                entity=entity,
                start_bin=first,
                end_bin=last,
                start_time=start_at + timedelta(seconds=first * bin_seconds),
                end_time=start_at + timedelta(seconds=last * bin_seconds),
                depth=float(max(depth, 0.0)),
                kind=kind,
            )
        )
    return found


__all__ = [
    "LONG_RUN_THRESHOLDS",
    "THRESHOLDS",
    "Corroboration",
    "Evidence",
    "Outage",
    "below_long_run",
    "corroborate",
    "detect",
]
