"""Cloudflare Radar: the `annotations/outages` documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from coalition.core.errors import InvalidInput
from coalition.response.importers.rows import MAX_ROWS, Parsed, Row, RowError, Skip
from coalition.response.importers.values import (
    Countries,
    _asn,
    _check_times,
    _fingerprint,
    _first_url,
    _instant,
    _is_text,
    _json,
    _json_list,
    _text,
)
from coalition.response.models import SignalKind


def parse_cloudflare(file_name: str, data: bytes, *, countries: Countries, now: dt.datetime) -> Iterator[Parsed]:
    """Cloudflare Radar outage annotations: one signal per annotation and location."""
    document = _json(data)
    if isinstance(document, dict) and document.get("success") is False:
        raise InvalidInput(f"The Radar response is an error: {_text(document.get('errors'))[:200]}.", field="file")
    result = document.get("result", document) if isinstance(document, dict) else None
    annotations = result.get("annotations") if isinstance(result, dict) else None
    if not isinstance(annotations, list):
        raise InvalidInput("This JSON is not a Radar outage response (expected “result.annotations”).", field="file")
    if len(annotations) > MAX_ROWS:
        raise InvalidInput(f"The file has {len(annotations):,} annotations; one import takes up to {MAX_ROWS:,}.")
    for number, item in enumerate(annotations, start=1):
        yield from _cloudflare_annotation(number, item, countries, now)


def _cloudflare_annotation(number: int, item: Any, countries: Countries, now: dt.datetime) -> Iterator[Parsed]:
    if not isinstance(item, dict):
        yield RowError(number, "not an annotation object")
        return
    try:
        codes = _json_list(item, "locations", "ISO 3166-1 country codes", _is_text)
        listed_asns = _json_list(item, "asns", "AS numbers", lambda value: _asn(value) is not None)
    except ValueError as error:
        yield RowError(number, str(error))
        return
    locations = [code.strip().upper() for code in codes]
    asns = [asn for asn in map(_asn, listed_asns) if asn is not None]
    if not locations:
        yield Skip(number, "no location: not tied to a country")
        return
    try:
        starts_at = _instant(item.get("startDate"))
    except ValueError:
        yield RowError(number, f"startDate “{_text(item.get('startDate'))[:40]}” is not a time")
        return
    try:
        ends_at = _instant(item["endDate"]) if item.get("endDate") else None
    except ValueError:
        yield RowError(number, f"endDate “{_text(item.get('endDate'))[:40]}” is not a time")
        return
    errors = _check_times(number, starts_at, ends_at, now)
    unknown = [code for code in locations if countries.by_code(code) is None]
    errors += [RowError(number, f"unknown country code “{code[:10]}”") for code in unknown]
    if errors:
        yield from errors
        return
    outage: dict[str, Any] = item["outage"] if isinstance(item.get("outage"), dict) else {}
    cause, outage_type = _text(outage.get("outageCause")), _text(outage.get("outageType"))
    base = _text(item.get("id")) or _fingerprint(
        item.get("startDate"), sorted(locations), sorted(asns), item.get("eventType"), cause, outage_type,
        item.get("linkedUrl"),
    )  # fmt: skip
    details: dict[str, Any] = {
        "outageCause": cause,
        "outageType": outage_type,
        "eventType": _text(item.get("eventType")),
    }
    for key in ("dataSource", "description", "scope"):
        if value := _text(item.get(key)):
            details[key] = value[:500]
    if asns:
        details["asns"] = asns
    for code in locations:
        yield Row(
            number=number,
            external_id=f"{base}:{code}"[:200],
            country_code=code,
            asn=asns[0] if len(asns) == 1 else None,
            network="",
            region=_text(item.get("scope"))[:300],
            kind=SignalKind.FULL_SHUTDOWN if cause == "GOVERNMENT_DIRECTED" else SignalKind.OUTAGE,
            starts_at=starts_at,
            ends_at=ends_at,
            evidence_url=_first_url(_text(item.get("linkedUrl"))),
            details=details,
        )
