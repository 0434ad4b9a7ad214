"""Background work for the library: adding an uploaded file in the task worker (issue 16 item 7).

Reading a Word document or a PDF may take up to the parsers' work limits (about twenty seconds of processor time), and
its size says little of it (a 54 KB document of 3,200 paragraphs takes 1.4 s), so no uploaded file is read in the web
request: `queue_import` checks what it can without reading the file, keeps the file and the form's answers in a
`QueuedImport`, and enqueues `import_queued` once they are committed. The worker adds it through
`services.import_text`, all or nothing as in a request, asking the policy again, under the task worker's time and
memory limits; the import's page shows its state.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from coalition.core import ledger, limits
from coalition.core.errors import AccessDenied, CoalitionError
from coalition.core.tasks import claim_queued
from coalition.directory.models import Country, Organisation
from coalition.library import indexing, services
from coalition.library.models import QueuedImport

log = logging.getLogger(__name__)

FAULT = (
    "the import stopped on a fault of ours, not of the file, and nothing from it was saved: add it again, and tell "
    "the Support Unit if it happens again"
)


def queue_import(
    *,
    by: Any,
    file_name: str,
    data: bytes,
    kind: str,
    title: str,
    forum: str = "",
    symbol: str = "",
    date: dt.date | None = None,
    author: str = "",
    author_country: Country | None = None,
    endorsed_by: Iterable[Organisation] = (),
    classification: str,
) -> QueuedImport:
    """Keep a file for the task worker to add to the library (PoA 1A.6): who may add it and what the form says of it
    are checked now, and again when the worker reads it. Returns the waiting import, whose page follows it."""
    services.check_import(by=by, data=data, kind=kind, title=title, date=date, classification=classification)
    with transaction.atomic():
        queued = QueuedImport.objects.create(
            file_name=file_name[:300],
            size=len(data),
            data=data,
            kind=kind,
            title=title.strip()[:300],
            forum=forum.strip()[:60],
            symbol=symbol.strip()[:80],
            date=date,
            author=author.strip()[:200],
            author_country=author_country,
            classification=classification,
            by=by,
        )
        queued.endorsed_by.set(endorsed_by)
        ledger.record("library.import_queued", actor=by, subject=queued, data={"size": len(data)})
        transaction.on_commit(lambda: import_queued.enqueue(queued.pk))
    return queued


@task()
def import_queued(queued_id: int) -> None:
    """Add a file `queue_import` kept: its row takes the outcome, the new source or why nothing was saved."""
    rows = QueuedImport.objects.select_related("by", "author_country")
    queued = claim_queued(
        rows, queued_id, field="state", queued=QueuedImport.State.QUEUED, running=QueuedImport.State.RUNNING
    )
    if queued is None:  # taken by an earlier run of this task, or deleted
        return
    try:
        with limits.task_limits(f"Reading “{queued.file_name}”"):  # refused, not a worker tied up or killed
            source = services.import_text(
                by=queued.by,
                file_name=queued.file_name,
                data=bytes(queued.data),
                kind=queued.kind,
                title=queued.title,
                forum=queued.forum,
                symbol=queued.symbol,
                date=queued.date,
                author=queued.author,
                author_country=queued.author_country,
                endorsed_by=list(queued.endorsed_by.all()),
                classification=queued.classification,
            )
        QueuedImport.objects.filter(pk=queued.pk).update(state=QueuedImport.State.DONE, source=source)
    except AccessDenied:  # the uploader's position ended since the upload
        _refuse(queued, "The person who uploaded the file may no longer add texts to the library.", "file")
    except CoalitionError as error:  # the file cannot be read, is over a work limit, or is already in the library
        _refuse(queued, error.message, error.field or "file")
    except Exception:
        log.exception("The library import %s stopped", queued.pk)
        _refuse(queued, FAULT, "file")
        raise  # the task is recorded as failed, for whoever runs the workers
    finally:
        QueuedImport.objects.filter(pk=queued.pk).update(data=b"", finished_at=timezone.now())


def _refuse(queued: QueuedImport, message: str, field: str) -> None:
    with transaction.atomic():
        QueuedImport.objects.filter(pk=queued.pk).update(
            state=QueuedImport.State.REFUSED, error=message, error_field=field
        )
        ledger.record("library.import_refused", actor=queued.by, subject=queued, data={"field": field})


@task()
def check_index() -> int:
    """Rebuild the search index when it has drifted from the database (paragraphs missing from it, or entries of
    deleted ones): returns the paragraphs indexed, 0 when nothing was rebuilt. The database is the record, so a
    second run finds no drift and does nothing."""
    missing, stale = indexing.drift()
    if not (missing or stale):
        return 0
    count = indexing.rebuild()
    log.info("Library index rebuilt (%d missing, %d stale): %d paragraphs", len(missing), len(stale), count)
    return count
