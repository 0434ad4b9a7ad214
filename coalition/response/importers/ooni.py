"""OONI: single measurements and the aggregation API's counts, as their API returns them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from coalition.core.errors import InvalidInput
from coalition.response.importers.rows import MAX_ROWS, Parsed, Row, RowError, Skip
from coalition.response.importers.values import Countries, _asn, _check_times, _day, _instant, _json, _midnight, _text
from coalition.response.models import SignalKind

OONI_PLATFORM_TESTS = frozenset(
    {
        "web_connectivity",
        "whatsapp",
        "telegram",
        "signal",
        "facebook_messenger",
        "tor",
        "vanilla_tor",
        "torsf",
        "psiphon",
        "riseupvpn",
    }
)
OONI_AGGREGATE_MIN_MEASUREMENTS = 20
OONI_AGGREGATE_ANOMALY_SHARE = 0.3


def _ooni_kind(document: Any) -> str:
    if isinstance(document, dict):
        if "measurement_uid" in document:
            return "measurement"
        if isinstance(document.get("results"), list):
            return "search"
        result = document.get("result")
        if isinstance(result, list | dict) and ("dimension_count" in document or "db_stats" in document):
            return "aggregation"
    return ""


def parse_ooni(
    file_name: str, data: bytes, *, countries: Countries, country: str | None = None, now: dt.datetime
) -> Iterator[Parsed]:
    """OONI measurement (measurement_meta), /measurements search listing, or aggregation."""
    document = _json(data)
    kind = _ooni_kind(document)
    if kind == "measurement":
        yield from _ooni_measurement(1, document, countries, now)
    elif kind == "search":
        results = document["results"]
        if len(results) > MAX_ROWS:
            raise InvalidInput(f"The listing has {len(results):,} measurements; one import takes up to {MAX_ROWS:,}.")
        for number, item in enumerate(results, start=1):
            if not isinstance(item, dict):
                yield RowError(number, "not a measurement object")
                continue
            yield from _ooni_measurement(number, item, countries, now)
    elif kind == "aggregation":
        result = document["result"]
        items = result if isinstance(result, list) else [result]
        match = re.search(r"test_name-([a-z_]+?)(?:_since|_until|_axis|_probe|\.json|$)", file_name)
        test_name = match[1] if match else ""
        if len(items) > MAX_ROWS:
            raise InvalidInput(f"The aggregation has {len(items):,} rows; one import takes up to {MAX_ROWS:,}.")
        for number, item in enumerate(items, start=1):
            yield from _ooni_aggregate(number, item, test_name, countries, country, now)
    else:
        raise InvalidInput(
            "This JSON is not an OONI measurement, measurement listing or aggregation "
            "(expected “measurement_uid”, “results” or an aggregation “result”).",
            field="file",
        )


def _ooni_measurement(number: int, item: dict[str, Any], countries: Countries, now: dt.datetime) -> Iterator[Parsed]:
    uid = _text(item.get("measurement_uid"))
    if not uid:
        yield RowError(number, "no measurement_uid")
        return
    test_name = _text(item.get("test_name"))
    try:
        starts_at = _instant(item.get("measurement_start_time"))
    except ValueError:
        yield RowError(
            number, f"measurement_start_time “{_text(item.get('measurement_start_time'))[:40]}” is not a time"
        )
        return
    cc = _text(item.get("probe_cc")).upper()
    if item.get("failure") is True:
        yield Skip(number, f"{test_name} measurement {uid} failed")
        return
    if not (item.get("anomaly") or item.get("confirmed")):
        yield Skip(number, f"no anomaly ({test_name}, {cc or 'no country'})")
        return
    if test_name not in OONI_PLATFORM_TESTS:
        yield Skip(number, f"an anomaly in the {test_name} test does not show a blocked platform")
        return
    if cc in ("", "ZZ"):
        yield Skip(number, "the probe's country is unknown (ZZ)")
        return
    country_code = countries.by_code(cc)
    if country_code is None:
        yield RowError(number, f"unknown country code “{cc[:10]}”")
        return
    errors = _check_times(number, starts_at, None, now)
    if errors:
        yield from errors
        return
    details = {"test_name": test_name, "anomaly": bool(item.get("anomaly")), "confirmed": bool(item.get("confirmed"))}
    for key in ("input", "category_code", "report_id"):
        if value := _text(item.get(key)):
            details[key] = value[:500]
    yield Row(
        number=number,
        external_id=uid[:200],
        country_code=country_code,
        asn=_asn(item.get("probe_asn")),
        network="",
        region="",
        kind=SignalKind.PLATFORM_BLOCK,
        starts_at=starts_at,
        ends_at=starts_at,
        evidence_url=f"https://explorer.ooni.org/m/{uid}"[:1000],
        details=details,
    )


def _ooni_aggregate(
    number: int, item: Any, test_name: str, countries: Countries, country: str | None, now: dt.datetime
) -> Iterator[Parsed]:
    if not isinstance(item, dict):
        yield RowError(number, "not an aggregation row")
        return
    try:
        day = _day(item.get("measurement_start_day"))
    except ValueError as error:
        yield RowError(number, f"measurement_start_day {error}")
        return
    if day is None:
        yield Skip(number, "not broken down by day (no measurement_start_day)")
        return
    cc = _text(item.get("probe_cc")).upper() or (country or "").upper()
    if not cc:
        yield Skip(number, f"{day}: no country (aggregate by probe_cc, or give the country when importing)")
        return
    country_code = countries.by_code(cc)
    if country_code is None:
        yield RowError(number, f"unknown country code “{cc[:10]}”")
        return
    try:
        anomalies, confirmed, measurements = (
            int(item.get(key) or 0) for key in ("anomaly_count", "confirmed_count", "measurement_count")
        )
    except (TypeError, ValueError, OverflowError):
        yield RowError(number, "anomaly_count, confirmed_count and measurement_count must be numbers")
        return
    share = anomalies / measurements if measurements else 0.0
    figures = f"{confirmed} confirmed, {anomalies} anomalies in {measurements} measurements"
    if confirmed < 1 and not (
        measurements >= OONI_AGGREGATE_MIN_MEASUREMENTS and share >= OONI_AGGREGATE_ANOMALY_SHARE
    ):
        yield Skip(number, f"{day}: below the threshold ({figures})")
        return
    starts_at = _midnight(day)
    errors = _check_times(number, starts_at, None, now)
    if errors:
        yield from errors
        return
    asn = _asn(item.get("probe_asn"))
    query = f"probe_cc={cc}&since={day}&until={day + dt.timedelta(days=1)}&axis_x=measurement_start_day"
    yield Row(
        number=number,
        external_id=f"aggregate:{test_name or 'all'}:{cc}:{asn or '-'}:{day}",
        country_code=country_code,
        asn=asn,
        network="",
        region="",
        kind=SignalKind.PLATFORM_BLOCK,
        starts_at=starts_at,
        ends_at=_midnight(day + dt.timedelta(days=1)),
        evidence_url=f"https://explorer.ooni.org/chart/mat?{query}" + (f"&test_name={test_name}" if test_name else ""),
        details={
            "test_name": test_name,
            "anomaly_count": anomalies,
            "confirmed_count": confirmed,
            "measurement_count": measurements,
        },
        whole_days=True,
    )
