"""The entry point: which format a file is, its parsing, and its import whole or not at all."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coalition.core import ledger, policy
from coalition.core.errors import InvalidInput
from coalition.directory.models import Country
from coalition.response.importers.cloudflare import parse_cloudflare
from coalition.response.importers.ioda import parse_ioda
from coalition.response.importers.ooni import _ooni_kind, parse_ooni
from coalition.response.importers.rows import IMPORTABLE, MAX_ERRORS_SHOWN, Parsed, Row, RowError, Skip, _place
from coalition.response.importers.stop import parse_stop
from coalition.response.importers.values import Countries, _json
from coalition.response.models import ImportBatch, Signal, Source

log = logging.getLogger(__name__)


# --- the entry point ---------------------------------------------------------------------------------------------


def detect_source(file_name: str, data: bytes) -> str:
    """Which source a file comes from, read from its content (for "detect automatically")."""
    if not data.strip():
        raise InvalidInput("The file is empty.", field="file")
    if data[:4] == b"PK\x03\x04":
        return Source.STOP  # a workbook: the only sheet format we read
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        document = _json(data)
        if _ooni_kind(document):
            return Source.OONI
        if isinstance(document, dict):
            if document.get("type") == "signals" or (
                isinstance(document.get("data"), list) and "requestParameters" in document
            ):
                return Source.IODA
            result = document.get("result", document)
            if isinstance(result, dict) and "annotations" in result:
                return Source.CLOUDFLARE
        raise InvalidInput(
            "This JSON is not a format the importer knows: an OONI measurement, listing or aggregation, "
            "an IODA v2 signals response or a Cloudflare Radar outage response.",
            field="file",
        )
    if b"\x00" in data[:4096]:
        raise InvalidInput("The file is binary: not a CSV sheet, a workbook or JSON.", field="file")
    first_line = data[:4096].decode("utf-8-sig", errors="replace").split("\n", 1)[0].casefold()
    if "start_date" in first_line or "country" in first_line:
        return Source.STOP
    raise InvalidInput(
        "Cannot tell the format: expected a STOP sheet (CSV or XLSX with start_date and country columns) or JSON "
        "from OONI, IODA or Cloudflare Radar. Choose the source.",
        field="source",
    )


def parse_file(
    *,
    source: str,
    file_name: str,
    data: bytes,
    countries: Countries,
    dataset_year: int | None = None,
    country: str | None = None,
    now: dt.datetime | None = None,
) -> list[Parsed]:
    """Every row of the file, parsed; raises InvalidInput when the file cannot be read at all."""
    now = now or timezone.now()
    json_start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")
    if source in (Source.OONI, Source.IODA, Source.CLOUDFLARE) and not json_start:
        raise InvalidInput(
            f"{Source(source).label} files are JSON, as its API returns them, and this file is not JSON. "
            "Sheets (CSV or XLSX) are read only from STOP.",
            field="file",
        )
    if source == Source.STOP:
        parsed: Iterable[Parsed] = parse_stop(file_name, data, countries=countries, dataset_year=dataset_year, now=now)
    elif source == Source.OONI:
        parsed = parse_ooni(file_name, data, countries=countries, country=country, now=now)
    elif source == Source.IODA:
        parsed = parse_ioda(file_name, data, countries=countries, country=country, now=now)
    elif source == Source.CLOUDFLARE:
        parsed = parse_cloudflare(file_name, data, countries=countries, now=now)
    else:
        raise InvalidInput("Choose the source of the file: STOP, OONI, IODA or Cloudflare Radar.", field="source")
    try:
        return list(parsed)
    except InvalidInput:
        raise
    except Exception as error:
        # The parsers turn what they expect of a bad file into a reason; whatever else a reader raises on some file
        # nobody foresaw is still that file's refusal, never a server error or a stopped ingestion run. Logged with
        # its traceback, as it may also be a fault of ours.
        log.exception("Signal file %s (%s) could not be read", file_name, source)
        raise InvalidInput(
            f"The file cannot be read as a {Source(source).label} file ({type(error).__name__}: {error}).",
            field="file",
        ) from None


def _refusal(errors: Sequence[RowError]) -> InvalidInput:
    lines = [f"{_place(error.sheet, error.number)}: {error.message}" for error in errors[:MAX_ERRORS_SHOWN]]
    if len(errors) > MAX_ERRORS_SHOWN:
        lines.append(f"… and {len(errors) - MAX_ERRORS_SHOWN} more.")
    rows = len({(error.sheet, error.number) for error in errors})
    return InvalidInput(
        f"Nothing was imported: {rows} row{'s' if rows != 1 else ''} of the file "
        f"{'have errors' if rows != 1 else 'has an error'}.\n" + "\n".join(lines),
        field="file",
    )


def import_file(
    *,
    by: Any,
    source: str,
    file_name: str,
    data: bytes,
    dataset_year: int | None = None,
    country: str | None = None,
    queued: ImportBatch | None = None,
) -> ImportBatch:
    """Bring one monitoring file into the signals (PoA 1B.3), whole or not at all.

    `source` is one of STOP, OONI, IODA, Cloudflare, or "auto" to read it from the content. `country` (ISO-2) is
    used only for rows that carry no country of their own (an OONI aggregation without probe_cc, an IODA ASN).
    Importing the same file again is allowed and changes nothing: it is recorded as a batch with nothing created.
    The task worker passes the batch the import page `queued` (`tasks.queue_import`), which takes the report.
    """
    policy.require(by, "response.import")
    return _import(
        by=by, source=source, file_name=file_name, data=data, dataset_year=dataset_year, country=country, queued=queued
    )


def ingest_file(*, source: str, file_name: str, data: bytes) -> ImportBatch:
    """The scheduled ingestion's import (`coalition.response.tasks`): the same checks and all-or-nothing apply, with
    no person behind it (the batch and the ledger record name none).

    A refused file is recorded as a batch with its reason and nothing created, then the refusal is raised: the file
    is known by its SHA-256, so the next cycle passes it by instead of failing on it again (a corrected file has new
    bytes and comes in on its own)."""
    try:
        return _import(
            by=None, source=source, file_name=file_name, data=data, dataset_year=None, country=None, queued=None
        )
    except InvalidInput as error:
        _record_refusal(source=source, file_name=file_name, data=data, reason=error.message)
        raise


def _record_refusal(*, source: str, file_name: str, data: bytes, reason: str) -> ImportBatch:
    file_name = (file_name or "upload").strip()[:300]
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            source=source, file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), refusal=reason
        )
        ledger.record(
            "response.signals_refused",
            subject=batch,
            data={"source": source, "file_name": file_name, "sha256": batch.sha256, "reason": reason[:1000]},
        )
    return batch


def _import(
    *,
    by: Any,
    source: str,
    file_name: str,
    data: bytes,
    dataset_year: int | None,
    country: str | None,
    queued: ImportBatch | None,
) -> ImportBatch:
    file_name = (file_name or "upload").strip()[:300]
    limit = settings.RESPONSE_MAX_FILE_BYTES
    if len(data) > limit:
        raise InvalidInput(
            f"The file is {len(data) / 1048576:.1f} MB; signal imports take files of up to {limit / 1048576:.0f} MB.",
            field="file",
        )
    if not data.strip():
        raise InvalidInput("The file is empty.", field="file")
    if source == "auto":
        source = detect_source(file_name, data)
    if source not in IMPORTABLE:
        raise InvalidInput("Choose the source of the file: STOP, OONI, IODA or Cloudflare Radar.", field="source")
    if dataset_year is not None and not 2000 <= dataset_year <= timezone.now().year + 1:
        raise InvalidInput(f"{dataset_year} is not a dataset year of a STOP sheet.", field="dataset_year")
    countries = Countries()
    if country and countries.by_code(country) is None:
        raise InvalidInput(f"“{country}” is not an ISO 3166-1 country code.", field="country")
    parsed = parse_file(
        source=source, file_name=file_name, data=data, countries=countries, dataset_year=dataset_year, country=country
    )
    errors = [item for item in parsed if isinstance(item, RowError)]
    if errors:
        raise _refusal(errors)
    rows: list[Row] = []
    skipped: list[dict[str, Any]] = []
    first_rows: dict[str, Row] = {}
    for item in parsed:
        if isinstance(item, Skip):
            skipped.append(_skipped(item.sheet, item.number, item.reason))
        elif isinstance(item, Row):
            # An API listing that repeats a measurement; a STOP workbook whose next year's sheet lists an event again
            first = first_rows.setdefault(item.external_id, item)
            if first is not item:
                where = _place(first.sheet if first.sheet != item.sheet else "", first.number)
                skipped.append(_skipped(item.sheet, item.number, f"same event as {where}"))
                continue
            rows.append(item)
    if queued is not None:  # what the worker has got to, for the batch's page (committed at once: no transaction)
        ImportBatch.objects.filter(pk=queued.pk).update(state=ImportBatch.State.SAVING, source=source)
    batch = ImportBatch(
        source=source, file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), by=by, skipped=skipped
    )
    if queued is not None:  # the row the import page stored takes the report
        batch.pk, batch.at = queued.pk, queued.at
    return _apply(batch, rows=rows)


def _skipped(sheet: str, number: int, reason: str) -> dict[str, Any]:
    """An entry of `ImportBatch.skipped`: the row, the sheet (of a workbook of several) or both, and the reason."""
    return {**({"sheet": sheet} if sheet else {}), **({"row": number} if number else {}), "reason": reason}


def _apply(batch: ImportBatch, *, rows: list[Row]) -> ImportBatch:
    source = batch.source
    country_ids = dict(Country.objects.filter(code__in={row.country_code for row in rows}).values_list("code", "pk"))
    with transaction.atomic():
        batch.save()
        ids = [row.external_id for row in rows]
        existing: set[str] = set()
        for offset in range(0, len(ids), 500):
            existing.update(
                Signal.objects.filter(source=source, external_id__in=ids[offset : offset + 500]).values_list(
                    "external_id", flat=True
                )
            )
        new = [
            Signal(
                source=source,
                external_id=row.external_id,
                country_id=country_ids[row.country_code],
                asn=row.asn,
                network=row.network,
                region=row.region,
                kind=row.kind,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                dataset_year=row.dataset_year,
                whole_days=row.whole_days,
                evidence_url=row.evidence_url,
                details=row.details,
                batch=batch,
            )
            for row in rows
            if row.external_id not in existing
        ]
        Signal.objects.bulk_create(new, batch_size=500)
        batch.created, batch.unchanged = len(new), len(rows) - len(new)
        batch.save(update_fields=["created", "unchanged"])
        ledger.record(
            "response.signals_imported",
            actor=batch.by,
            subject=batch,
            data={
                "source": source,
                "file_name": batch.file_name,
                "sha256": batch.sha256,
                "created": batch.created,
                "unchanged": batch.unchanged,
                "skipped": len(batch.skipped),
            },
        )
    return batch
