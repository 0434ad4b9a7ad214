"""IODA: the reachability signals' time series, read as runs below the usual level."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterator
from typing import Any

import numpy as np

from coalition.core.errors import InvalidInput
from coalition.response import detection
from coalition.response.importers.rows import MAX_ROWS, Parsed, Row, RowError, Skip
from coalition.response.importers.values import Countries, _check_times, _is_number_or_null, _json, _json_list, _text
from coalition.response.models import SignalKind

IODA_REACHABILITY_DATASOURCES = frozenset({"bgp", "ping-slash24", "merit-nt", "gtr", "gtr-norm"})
IODA_DROP_RATIO = 0.5


def parse_ioda(
    file_name: str, data: bytes, *, countries: Countries, country: str | None = None, now: dt.datetime
) -> Iterator[Parsed]:
    """IODA API v2 `signals`: reachability series → one outage per run of points below half the median."""
    document = _json(data)
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise InvalidInput("This JSON is not an IODA v2 signals response (expected a “data” list).", field="file")
    if document.get("error"):
        raise InvalidInput(f"The IODA response is an error: {_text(document['error'])[:200]}.", field="file")
    series: list[Any] = []
    for group in document["data"]:
        series.extend(group if isinstance(group, list) else [group])
    if len(series) > MAX_ROWS:
        raise InvalidInput(f"The response has {len(series):,} series; one import takes up to {MAX_ROWS:,}.")
    for number, item in enumerate(series, start=1):
        yield from _ioda_series(number, item, countries, country, now)


def _ioda_series(
    number: int, item: Any, countries: Countries, country: str | None, now: dt.datetime
) -> Iterator[Parsed]:
    if not isinstance(item, dict):
        yield RowError(number, "not a signal series")
        return
    entity_type, code = _text(item.get("entityType")), _text(item.get("entityCode"))
    datasource, name = _text(item.get("datasource")), _text(item.get("entityName"))
    label = f"{name or code} ({datasource})"
    if datasource not in IODA_REACHABILITY_DATASOURCES:
        yield Skip(number, f"{label}: datasource “{datasource}” measures latency or paths, not reachability")
        return
    cc = code.upper() if entity_type == "country" else (country or "").upper()
    if not cc:
        yield Skip(number, f"{label}: a {entity_type} entity has no country in the response; give it when importing")
        return
    country_code = countries.by_code(cc)
    if country_code is None:
        yield RowError(number, f"unknown country code “{cc[:10]}”")
        return
    try:
        start, step = int(item["from"]), int(item["step"])
    except (KeyError, TypeError, ValueError, OverflowError):
        yield RowError(number, f"{label}: “from” and “step” must be numbers")
        return
    try:
        values = _json_list(item, "values", "numbers (null where there is no data)", _is_number_or_null)
    except ValueError as error:
        yield RowError(number, f"{label}: {error}")
        return
    if not (0 <= start <= now.timestamp() and 0 < step <= 86_400 and len(values) <= MAX_ROWS):
        yield RowError(number, f"{label}: “from”, “step” or the number of values is out of range")
        return
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    median = statistics.median(numbers) if numbers else 0.0
    if median <= 0:
        yield Skip(number, f"{label}: no data")
        return
    runs = _ioda_runs(values, step=step, datasource=datasource, median=median, start=start)
    if not runs:
        yield Skip(number, f"{label}: no drop below {IODA_DROP_RATIO:.0%} of the median")
        return
    fqid = _text(item.get("entityFqid")) or f"{entity_type}.{code}"
    for first, after, long_run_only in runs:
        starts_at = dt.datetime.fromtimestamp(start + first * step, tz=dt.UTC)
        ends_at = dt.datetime.fromtimestamp(start + after * step, tz=dt.UTC)
        errors = _check_times(number, starts_at, ends_at, now)
        if errors:
            yield from errors
            return
        low_values = [v for v in values[first:after] if isinstance(v, int | float)]
        yield Row(
            number=number,
            external_id=f"{fqid}:{datasource}:{int(starts_at.timestamp())}"[:200],
            country_code=country_code,
            asn=int(code) if entity_type == "asn" and code.isdigit() else None,
            network=name[:200] if entity_type == "asn" else "",
            region=name[:300] if entity_type == "region" else "",
            kind=SignalKind.OUTAGE,
            starts_at=starts_at,
            ends_at=ends_at,
            evidence_url=f"https://ioda.inetintel.cc.gatech.edu/{entity_type}/{code}"
            f"?from={int(starts_at.timestamp())}&until={int(ends_at.timestamp())}",
            details={"datasource": datasource, "median": median, "lowest": min(low_values), "entity": name}
            | ({"below_long_run": True} if long_run_only else {}),
        )


IODA_DETECTION_KINDS = {"bgp": "bgp", "ping-slash24": "active_probing", "merit-nt": "telescope"}


def _ioda_runs(
    values: list[Any], *, step: int, datasource: str, median: float, start: int
) -> list[tuple[int, int, bool]]:
    """Where a series is out, and whether it is only below its long-run level. With two days or more of a datasource
    the detector knows: the seasonal detector (each bin against the same time of day before, IODA's threshold for
    that kind), and, flagged, the runs below the series' long-run level that it cannot see (a curfew present from
    the first day, an outage under way when the series starts: `detection.below_long_run`). Otherwise runs below
    half the median."""
    kind = IODA_DETECTION_KINDS.get(datasource)
    if kind is not None and step > 0 and 86_400 % step == 0 and len(values) * step >= 2 * 86_400:
        series = np.array(
            [[float(v) if isinstance(v, int | float) and not isinstance(v, bool) else np.nan for v in values]]
        )
        found = [(o.start_bin, o.end_bin, False) for o in detection.detect(series, kind, bin_seconds=step, start=start)]
        unseen = [
            (o.start_bin, o.end_bin, True)
            for o in detection.below_long_run(series, kind, bin_seconds=step, start=start)
            if not any(o.start_bin < after and first < o.end_bin for first, after, _ in found)
        ]
        return sorted(found + unseen)
    runs: list[tuple[int, int, bool]] = []
    run_start: int | None = None
    for position, value in enumerate([*values, None]):
        low = isinstance(value, int | float) and value < IODA_DROP_RATIO * median
        if low and run_start is None:
            run_start = position
        elif not low and run_start is not None:
            runs.append((run_start, position, False))
            run_start = None
    return runs
