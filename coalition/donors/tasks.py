"""Background work for donor coordination: importing a large file with its progress on its page (issue 15 item 16),
and overlap detection after an import (and on demand for everything).

No uploaded file is imported in the web request (issue 16 item 7): `queue_import` stores the file beside a waiting
batch and enqueues `import_queued` once both are committed. The worker imports it through
`ingest.importing.import_file`, all or nothing as in a request, and writes where it has got to (activities read, then
checked, then saving) on the batch as it goes, outside the import's transaction, so that the batch's page shows it.
The file's bytes are deleted when the import ends, whatever its outcome.

The tasks are defined here because the queue stores each by its path (`coalition.donors.tasks.import_queued`). They
call down into `ingest` and `overlap_review`, which never import this module: the import is handed `detect.enqueue`
to run overlap detection after it commits.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from coalition.core import ledger, limits
from coalition.core.errors import AccessDenied, CoalitionError, InvalidInput
from coalition.core.policy import Tier
from coalition.core.tasks import claim_queued
from coalition.directory.models import Organisation
from coalition.donors import overlap_review
from coalition.donors.ingest import iati, importing
from coalition.donors.models import DonorGroup, ImportBatch, ImportUpload

log = logging.getLogger(__name__)

PROGRESS_SECONDS = 0.5  # how often the worker writes where it has got to (and at the end of each step)
FAULT = (
    "the import stopped on a fault of ours, not of the file, and nothing from it was saved: import it again, and "
    "tell the Support Unit if it happens again"
)


@task()
def detect(among: list[int] | None = None) -> dict[str, Any]:
    """Compare the activities an import created or changed (all when `among` is None) with every other member's."""
    return overlap_review.detect_overlaps(among)


def queue_import(
    data: bytes | Path,
    *,
    file_name: str,
    reporter: Organisation,
    by: Any,
    tier: str = Tier.MECHANISM,
    group: DonorGroup | None = None,
    bilateral_with: Sequence[Organisation] = (),
) -> ImportBatch:
    """Keep a member's file for the task worker to import (PoA 2A.4): who may import and the sharing are checked now,
    and again when the worker imports it. Returns the waiting batch, whose page follows the import."""
    importing.check_import(reporter=reporter, by=by, tier=tier, group=group, bilateral_with=bilateral_with)
    fmt = importing.format_of(file_name)
    limit = settings.DONORS_MAX_FILE_BYTES
    size = data.stat().st_size if isinstance(data, Path) else len(data)
    if size > limit:  # the form says so first; never store what will be refused for its size
        raise InvalidInput(f"The file is refused: {iati.too_large(size, limit)}.", field="file")
    content = data.read_bytes() if isinstance(data, Path) else data
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            reporter=reporter,
            format=fmt,
            file_name=file_name[:300],
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            outcome=ImportBatch.Outcome.QUEUED,
            by=by,
        )
        upload = ImportUpload.objects.create(batch=batch, data=content, tier=tier, group=group)
        upload.bilateral_with.set(bilateral_with)
        ledger.record(
            "donors.import_queued",
            actor=by,
            subject=batch,
            label=f"import {batch.pk}",  # a file name may say more than its records' readers
            on_behalf_of=reporter,
            data={"size": len(content)},
        )
        transaction.on_commit(lambda: import_queued.enqueue(batch.pk))
    return batch


class _Progress:
    """Writes where an import has got to on its batch, each time in a statement of its own: the worker runs no
    transaction around the task, so the page sees it at once (what happens inside the import's transaction is
    saved at its end, so the saving step is written before it begins)."""

    def __init__(self, batch_id: int) -> None:
        self.batch_id, self.step, self.written_at = batch_id, "", 0.0

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if step == self.step and done < total and now - self.written_at < PROGRESS_SECONDS:
            return
        self.step, self.written_at = step, now
        ImportBatch.objects.filter(pk=self.batch_id).update(step=step, progress=done, activities=total)


@task()
def import_queued(batch_id: int) -> None:
    """Import a file `queue_import` kept: its batch takes the report, accepted or refused (nothing saved)."""
    batch = claim_queued(
        ImportBatch.objects.select_related("reporter", "by"),
        batch_id,
        field="outcome",
        queued=ImportBatch.Outcome.QUEUED,
        running=ImportBatch.Outcome.RUNNING,
        step=ImportBatch.Step.READING,
    )
    if batch is None:  # taken by an earlier run of this task, or deleted
        return
    try:
        upload = ImportUpload.objects.select_related("group").get(batch=batch)
        with limits.task_limits(f"The import of “{batch.file_name}”"):  # refused, not a worker tied up or killed
            importing.import_file(
                bytes(upload.data),
                file_name=batch.file_name,
                reporter=batch.reporter,
                by=batch.by,
                tier=upload.tier,
                group=upload.group,
                bilateral_with=list(upload.bilateral_with.all()),
                queued=batch,
                progress=_Progress(batch.pk),
                detect_among=detect.enqueue,
            )
    except AccessDenied:  # the uploader's position ended since the upload
        _refuse(batch, f"the person who uploaded the file may no longer import for {batch.reporter}: nothing was saved")
    except CoalitionError as error:  # the sharing chosen no longer holds (the group changed…)
        _refuse(batch, error.message)
    except Exception:
        log.exception("The import of batch %s stopped", batch.pk)
        _refuse(batch, FAULT)
        raise  # the task is recorded as failed, for whoever runs the workers
    finally:
        ImportUpload.objects.filter(batch_id=batch.pk).delete()
        ImportBatch.objects.filter(pk=batch.pk).update(step="", finished_at=timezone.now())


def _refuse(batch: ImportBatch, message: str) -> None:
    error = {"message": message, "kind": "file", "line": None, "identifier": "", "text": message}
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(outcome=ImportBatch.Outcome.REFUSED, errors=[error])
        ledger.record(
            "donors.import_refused",
            actor=batch.by,
            subject=batch,
            label=f"import {batch.pk}",
            on_behalf_of=batch.reporter,
            data={"errors": 1},
        )
