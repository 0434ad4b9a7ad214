"""Scheduled ingestion: the worker brings in new signal files from the configured folder and, only where a
deployment lists them, from configured addresses; then it raises the alerts the new signals corroborate.

Run it on a schedule (cron or a systemd timer) with `manage.py ingest_signals`, which enqueues `ingest_signals` for
the worker (or `--now` to run it in place). Each file is taken once, by its SHA-256. A file that is refused is
reported and recorded as a refused batch with its reason (none of its signals is saved), so later cycles pass it by;
a corrected file has new bytes and comes in on its own. One file never stops the run: whatever goes wrong with it,
the other files are still taken and the alerts still raised. Each file is held to the task worker's processor time
and memory (`limits.task_limits`); past them it is refused like any other file that cannot be read.

No uploaded file is read in the web request (issue 16 item 7): `queue_import` keeps it beside a waiting batch and
enqueues `import_queued` once both are committed. The worker imports it through `importers.import_file`, asking
the policy again, all or nothing and within the same limits, writes on the batch the step it has got to (for the
import page) and raises the alerts it brings. The file's bytes
are deleted when the import ends, whatever its outcome.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from coalition.core import ledger, limits, policy
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.tasks import claim_queued
from coalition.response import importers, services
from coalition.response.models import ImportBatch, ImportUpload, Source

log = logging.getLogger(__name__)

FAULT = (
    "The import stopped on a fault of ours, not of the file, and nothing from it was saved: import it again, and "
    "tell the Support Unit if it happens again."
)
NO_LONGER = "The person who uploaded the file may no longer import signals: nothing was saved."

FOLDERS = (Source.STOP, Source.OONI, Source.IODA, Source.CLOUDFLARE)
SUFFIXES = {".csv", ".xlsx", ".json"}


@dataclass
class IngestReport:
    imported: list[str] = field(default_factory=list)  # "stop/stop_2021.csv: 12 new"
    refused: list[str] = field(default_factory=list)  # "ooni/x.json: why"
    alerts: int = 0


def _seen(data: bytes) -> bool:
    return ImportBatch.objects.filter(sha256=hashlib.sha256(data).hexdigest()).exists()


def _take(report: IngestReport, source: str, name: str, data: bytes) -> None:
    if _seen(data):
        return
    try:
        with limits.task_limits(f"The signal file “{source}/{name}”"):  # refused, not a worker tied up or killed
            batch = importers.ingest_file(source=source, file_name=name, data=data)
    except InvalidInput as error:  # recorded by ingest_file: not tried again
        report.refused.append(f"{source}/{name}: {error.message}")
        log.warning("Signal file refused: %s/%s: %s", source, name, error.message)
        return
    except Exception:  # not the file's fault as far as we know (the database, a fault of ours): tried next cycle
        report.refused.append(f"{source}/{name}: could not be imported this time (see the worker's log)")
        log.exception("Signal file %s/%s could not be imported", source, name)
        return
    report.imported.append(f"{source}/{name}: {batch.created} new, {len(batch.skipped)} skipped")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A configured address is fetched as configured: a redirect (to plain http, or elsewhere) is refused."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> None:
        raise InvalidInput(f"{req.full_url} redirects to {newurl}; configure the final https address.", field="url")


_OPENER = urllib.request.build_opener(_NoRedirects)


def _fetch(url: str) -> bytes:
    limit = settings.RESPONSE_MAX_FILE_BYTES
    with _OPENER.open(url, timeout=30) as response:  # https only, checked by the caller; no redirects
        data = response.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(f"The answer from {url} is larger than {limit // 1048576} MB.", field="url")
    return data


def _read_plain_file(path: Path) -> bytes | None:
    """The file's bytes if it is a regular file of its own (no symbolic link out of the folder) within the size
    limit, read through one descriptor so what was checked is what is read."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode) or status.st_size > settings.RESPONSE_MAX_FILE_BYTES:
            return None
        return handle.read(settings.RESPONSE_MAX_FILE_BYTES + 1)


def ingest() -> IngestReport:
    report = IngestReport()
    root = Path(settings.RESPONSE_INGEST_DIR)
    for source in FOLDERS:
        folder = root / source
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in SUFFIXES:
                continue
            data = _read_plain_file(path)
            if data is None:
                report.refused.append(f"{source}/{path.name}: not a plain file in the folder, or too large")
                continue
            _take(report, source, path.name, data)
    for entry in settings.RESPONSE_FETCH_URLS:  # empty unless a deployment configures it: no network by default
        name, _, url = entry.partition("=")
        if name not in FOLDERS or urlsplit(url).scheme != "https":
            report.refused.append(f"{entry}: not a source=https://… entry")
            continue
        try:
            data = _fetch(url)
        except (OSError, InvalidInput) as error:
            report.refused.append(f"{url}: {error}")
            continue
        _take(report, name, urlsplit(url).path.rsplit("/", 1)[-1] or url, data)
    report.alerts = len(services.raise_alerts())
    return report


@task()
def ingest_signals() -> None:
    report = ingest()
    log.info("Signals ingested: %s; refused: %s; alerts raised: %d", report.imported, report.refused, report.alerts)


def queue_import(
    *, by: Any, source: str, file_name: str, data: bytes, dataset_year: int | None, country: str | None
) -> ImportBatch:
    """Keep an uploaded file for the task worker to import: who may import is asked now and again when the worker
    imports it. Returns the waiting batch, whose page (the import page) follows the import."""
    policy.require(by, "response.import")
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            source=source if source in importers.IMPORTABLE else "",  # "auto": read from the content by the worker
            file_name=(file_name or "upload").strip()[:300],
            sha256=hashlib.sha256(data).hexdigest(),
            by=by,
            state=ImportBatch.State.QUEUED,
        )
        ImportUpload.objects.create(
            batch=batch, data=data, source=source, dataset_year=dataset_year, country=country or ""
        )
        ledger.record(
            "response.import_queued", actor=by, subject=batch, data={"file_name": batch.file_name, "size": len(data)}
        )
        transaction.on_commit(lambda: import_queued.enqueue(batch.pk))
    return batch


@task()
def import_queued(batch_id: int) -> None:
    """Import a file `queue_import` kept: its batch takes the report, or the refusal with nothing saved."""
    batch = claim_queued(
        ImportBatch.objects.select_related("by"),
        batch_id,
        field="state",
        queued=ImportBatch.State.QUEUED,
        running=ImportBatch.State.READING,
    )
    if batch is None:  # taken by an earlier run of this task, or deleted
        return
    try:
        upload = ImportUpload.objects.get(batch=batch)
        with limits.task_limits(f"The import of “{batch.file_name}”"):
            importers.import_file(
                by=batch.by,
                source=upload.source,
                file_name=batch.file_name,
                data=bytes(upload.data),
                dataset_year=upload.dataset_year,
                country=upload.country or None,
                queued=batch,
            )
    except (AccessDenied, InvalidInput) as error:  # the uploader may no longer import, or the file is refused
        _refuse(batch, NO_LONGER if isinstance(error, AccessDenied) else error.message)
    except Exception:
        log.exception("The import of signal batch %s stopped", batch.pk)
        _refuse(batch, FAULT)
        raise  # the task is recorded as failed, for whoever runs the workers
    finally:  # the file's bytes are not kept, whatever the outcome
        _finish(batch)
    services.raise_alerts()  # from what the file brought, as after an import in the request


def _finish(batch: ImportBatch) -> None:
    ImportUpload.objects.filter(batch_id=batch.pk).delete()
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.DONE, finished_at=timezone.now())


def _refuse(batch: ImportBatch, reason: str) -> None:
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(refusal=reason)
        ledger.record(
            "response.signals_refused",
            actor=batch.by,
            subject=batch,
            data={"file_name": batch.file_name, "sha256": batch.sha256, "reason": reason[:1000]},
        )
