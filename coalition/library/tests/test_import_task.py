"""Every uploaded file is read and added by the task worker, under its time and
memory limits, its page showing how the import stands (issue 16 item 7: a Word or PDF parse may take up to the
parsers' work limits, and no web worker may be tied up meanwhile). All or nothing; the policy is asked again."""

from __future__ import annotations

import datetime as dt
import re
import signal
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
from coalition.core.tests import hostile
from coalition.core.tests.clients import client_for, text_of
from coalition.directory.models import Position
from coalition.library.models import Paragraph, QueuedImport, Source
from coalition.library.tests.test_views import RESOLUTION, import_form

# The worker runs in another process and sees only what is committed.
pytestmark = pytest.mark.django_db(transaction=True)

AS_DEPLOYED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EVERY_UPLOAD_TO_THE_WORKER = {"TASKS": AS_DEPLOYED}
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def work() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def uploaded(user: Any, name: str = "resolution.txt", data: bytes = RESOLUTION.encode()) -> QueuedImport:
    response = client_for(user).post(reverse("library:import"), import_form(file=SimpleUploadedFile(name, data)))
    queued = QueuedImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("library:queued_import", args=[queued.pk])
    return queued


def page_of(user: Any, queued: QueuedImport) -> Any:
    return client_for(user).get(reverse("library:queued_import", args=[queued.pk]))


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_a_large_upload_is_kept_for_the_worker_and_its_page_says_it_waits(official: Any) -> None:
    queued = uploaded(official)
    assert queued.state == QueuedImport.State.QUEUED and bytes(queued.data) == RESOLUTION.encode()
    assert (queued.title, queued.classification, queued.size) == ("Imported resolution", "members", len(RESOLUTION))
    assert DBTaskResult.objects.get(task_path="coalition.library.tasks.import_queued").args_kwargs["args"] == [
        queued.pk
    ]
    assert not Source.objects.exists()
    client = client_for(official)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("library:queued_import", args=[queued.pk]))
    assert page.status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if WRITES.match(q["sql"])]
    body = text_of(page)
    assert (
        "Waiting for the task worker to begin" in body
        and "The outcome appears on this page when the work ends." in body
    )
    link = 'href="{}" data-check-again>Check again'.format(reverse("library:queued_import", args=[queued.pk]))
    assert link in page.content.decode() and "core/check_again" in page.content.decode()


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_the_worker_adds_the_file_and_it_becomes_searchable(official: Any) -> None:
    queued = uploaded(official)
    work()
    queued.refresh_from_db()
    source = Source.objects.get(title="Imported resolution")
    assert (queued.state, queued.source, bytes(queued.data)) == (QueuedImport.State.DONE, source, b"")
    assert source.origin == "resolution.txt" and source.imported_by == official and source.paragraphs.count() == 4
    assert queued.finished_at is not None
    body = text_of(page_of(official, queued))
    assert "Added: every paragraph of the file is in the library." in body and "Check again" not in body
    results = text_of(client_for(official).get(reverse("library:search"), {"q": '"cease measures"'}))
    assert "Imported resolution" in results and "intentionally prevent or disrupt access" in results


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_a_file_the_worker_cannot_read_saves_nothing_and_its_page_says_why_naming_the_field(official: Any) -> None:
    queued = uploaded(official, "broken.pdf", b"%PDF-1.4 garbage")
    work()
    queued.refresh_from_db()
    assert queued.state == QueuedImport.State.REFUSED and queued.error_field == "file" and "broken.pdf" in queued.error
    assert not Source.objects.exists() and not Paragraph.objects.exists() and bytes(queued.data) == b""
    body = text_of(page_of(official, queued))
    assert "Refused: nothing from this file was saved." in body and f"File: {queued.error}" in body


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_the_worker_asks_the_policy_again_and_refuses_for_someone_no_longer_in_post(official: Any) -> None:
    queued = uploaded(official)
    Position.objects.filter(person=official.person).update(ends_on=dt.date.today() - dt.timedelta(days=1))
    work()
    queued.refresh_from_db()
    assert queued.state == QueuedImport.State.REFUSED
    assert queued.error == "The person who uploaded the file may no longer add texts to the library."
    assert not Source.objects.exists() and not Paragraph.objects.exists()


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_a_parse_past_the_workers_processor_time_is_refused_and_saves_nothing(
    official: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_TASK_CPU_SECONDS", 0.001)
    text = b"BT /F1 12 Tf 72 700 Td (Affirms that the same rights apply online.) Tj ET"
    queued = uploaded(official, "long.pdf", hostile.pdf_with_content(text, pages=200))
    work()
    queued.refresh_from_db()
    assert queued.state == QueuedImport.State.REFUSED
    assert "Reading “long.pdf” needed more than 0 seconds of processing" in queued.error
    assert not Source.objects.exists() and not Paragraph.objects.exists()
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)  # the worker's timer is off again


@override_settings(TASKS=AS_DEPLOYED)
def test_even_a_small_file_is_read_by_the_worker_never_in_the_web_request(official: Any) -> None:
    """Issue 16 item 7: a file's size says little of the work of reading it, so no upload is read in the request."""
    response = client_for(official).post(
        reverse("library:import"), import_form(file=SimpleUploadedFile("resolution.txt", RESOLUTION.encode()))
    )
    queued = QueuedImport.objects.get()
    assert response["Location"] == reverse("library:queued_import", args=[queued.pk])
    assert not Source.objects.exists()
    assert DBTaskResult.objects.filter(task_path="coalition.library.tasks.import_queued").exists()
    work()
    assert Source.objects.get().origin == "resolution.txt"


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_bad_answers_on_the_form_are_refused_before_anything_is_kept(official: Any) -> None:
    upload = SimpleUploadedFile("resolution.txt", RESOLUTION.encode())
    response = client_for(official).post(reverse("library:import"), import_form(file=upload, title="  "))
    assert response.status_code == 400 and 'href="#id_title' in response.content.decode()
    assert not QueuedImport.objects.exists() and not DBTaskResult.objects.exists()
