"""Scheduled ingestion: the worker brings in new signal files from the configured folder and, only where a
deployment lists them, from configured addresses; then it raises the alerts the new signals corroborate.

Run it on a schedule (cron or a systemd timer) with `manage.py ingest_signals`, which enqueues `ingest_signals` for
the worker (or `--now` to run it in place). Each file is taken once, by its SHA-256. A file that is refused is
reported and recorded as a refused batch with its reason (none of its signals is saved), so later cycles pass it by;
a corrected file has new bytes and comes in on its own. One file never stops the run: whatever goes wrong with it,
the other files are still taken and the alerts still raised.
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
from django_tasks import task

from coalition.core.errors import InvalidInput
from coalition.response import importers, services
from coalition.response.models import ImportBatch, Source

log = logging.getLogger(__name__)

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
