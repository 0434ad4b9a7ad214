"""A large signal upload is imported by the task worker, held to its processor time and memory, with the import page
saying how far it has got (issue 16 item 7: the parsers cost up to 20 s of processor time inside a web request). The
import stays whole or nothing and asks the policy again when the worker runs it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from coalition.core import limits
from coalition.core.tests.clients import client_for, text_of
from coalition.response.models import ImportBatch, ImportUpload, Signal

# The worker runs in another process and sees only what is committed.
pytestmark = pytest.mark.django_db(transaction=True)

STOP_2019 = Path("/work/shared/data/shutdowns/accessnow-stop/stop_2019.csv").read_bytes()
EVERY_UPLOAD_TO_THE_WORKER = {"TASKS": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}}
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def work() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def uploaded(user: Any, data: bytes) -> ImportBatch:
    file = SimpleUploadedFile("stop_2019.csv", data)
    done = client_for(user).post(reverse("response:import"), {"file": file, "source": "auto"})
    batch = ImportBatch.objects.get()
    assert done.status_code == 302 and done["Location"] == f"{reverse('response:import')}?batch={batch.pk}#report"
    return batch


def page_of(user: Any, batch: ImportBatch) -> Any:
    return client_for(user).get(reverse("response:import"), {"batch": batch.pk})


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_a_large_file_is_kept_for_the_worker_and_its_page_says_it_waits(support: Any) -> None:
    batch = uploaded(support, STOP_2019)
    assert batch.state == ImportBatch.State.QUEUED and batch.by == support
    assert bytes(ImportUpload.objects.get(batch=batch).data) == STOP_2019
    assert DBTaskResult.objects.get(task_path="coalition.response.tasks.import_queued").args_kwargs["args"] == [
        batch.pk
    ]
    assert not Signal.objects.exists()

    client = client_for(support)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("response:import"), {"batch": batch.pk})
    assert not [q["sql"] for q in queries.captured_queries if WRITES.match(q["sql"])]
    body = text_of(page)
    assert "Import of stop_2019.csv" in body and "Waiting for the task worker" in body
    assert "The outcome appears on this page when the work ends." in body
    link = f'href="{reverse("response:import")}?batch={batch.pk}#report" data-check-again>Check again'
    assert link in page.content.decode()
    assert "already there" not in body and "Refused" not in body


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_a_small_file_is_imported_by_the_worker_never_in_the_web_request(support: Any) -> None:
    """Issue 16 item 7: a file's size says little of the work of reading it (a workbook of a million cells packs into
    134 KB), so no upload is read in the request, however small."""
    rows = list(csv.reader(io.StringIO(STOP_2019.decode())))
    rows = [rows[0], *rows[-2:]]  # the header and two events of 2019 (cells span lines)
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    small = out.getvalue().encode()
    batch = uploaded(support, small)
    assert batch.state == ImportBatch.State.QUEUED and not Signal.objects.exists()
    work()
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.DONE and not batch.refusal and Signal.objects.exists()


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_the_worker_imports_the_file_and_the_page_then_shows_the_report(support: Any) -> None:
    batch = uploaded(support, STOP_2019)
    work()

    batch.refresh_from_db()
    assert (batch.state, batch.source, batch.refusal) == (ImportBatch.State.DONE, "stop", "")
    assert batch.created > 100 and batch.created == Signal.objects.filter(batch=batch).count()
    assert batch.finished_at is not None and ImportBatch.objects.count() == 1
    assert not ImportUpload.objects.exists()  # the file's bytes are not kept once imported
    body = text_of(page_of(support, batch))
    assert "What the file brought" in body and f"{batch.created} new, 0 already there" in body
    assert "Waiting" not in body and "Check again" not in body


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_a_file_the_worker_refuses_leaves_nothing_but_its_report(support: Any) -> None:
    bad = STOP_2019.replace(b",Chad,", b",Atlantis,", 1)
    batch = uploaded(support, bad)
    work()

    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.DONE and batch.created == 0
    assert batch.refusal.startswith("Nothing was imported: 1 row of the file has an error.")
    assert "Atlantis" in batch.refusal
    assert not Signal.objects.exists() and not ImportUpload.objects.exists()
    body = text_of(page_of(support, batch))
    assert "Refused; nothing imported." in body and "Atlantis" in body


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_the_worker_asks_the_policy_again(support: Any) -> None:
    batch = uploaded(support, STOP_2019)
    support.is_active = False
    support.save(update_fields=["is_active"])
    work()

    batch.refresh_from_db()
    assert batch.refusal == "The person who uploaded the file may no longer import signals: nothing was saved."
    assert not Signal.objects.exists() and not ImportUpload.objects.exists()


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_an_import_past_the_workers_processor_time_is_refused_and_saves_nothing(
    support: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_TASK_CPU_SECONDS", 0.001)
    batch = uploaded(support, STOP_2019)
    work()

    batch.refresh_from_db()
    assert batch.refusal.startswith("The import of “stop_2019.csv” needed more than 0 seconds of processing")
    assert not Signal.objects.exists() and not ImportUpload.objects.exists()


def test_without_a_worker_the_immediate_backend_imports_the_upload_once_it_is_committed(support: Any) -> None:
    """The tests' and a worker-less setup's backend: the task runs in place once the request's upload is saved."""
    done = client_for(support).post(
        reverse("response:import"), {"file": SimpleUploadedFile("stop_2019.csv", STOP_2019), "source": "auto"}
    )
    batch = ImportBatch.objects.get()
    assert done.status_code == 302 and batch.state == ImportBatch.State.DONE and batch.created > 100
