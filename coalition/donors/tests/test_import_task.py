"""A large file is imported by the task worker, its page showing how far it has got (issue 15 item 16: a 15 MB file
of 18,000 activities took ten minutes inside the web request). The import stays whole or nothing and asks the policy
again when the worker runs it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from coalition.core.tests.clients import text_of
from coalition.directory.models import Position
from coalition.donors import tasks
from coalition.donors.ingest import importing
from coalition.donors.models import Allocation, FundingActivity, ImportBatch, ImportUpload
from coalition.donors.tests.conftest import funding, iati_file, imported
from coalition.donors.tests.test_views import browser, upload

# The worker runs in another process and sees only what is committed.
pytestmark = pytest.mark.django_db(transaction=True)

AS_DEPLOYED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EVERY_UPLOAD_TO_THE_WORKER = {"TASKS": AS_DEPLOYED}


def work() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def uploaded(user: Any, data: bytes) -> ImportBatch:
    done = browser(user).post(reverse("donors:import"), {"file": upload(data), "tier": "mechanism"})
    batch = ImportBatch.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("donors:batch", args=[batch.pk])
    return batch


WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_a_large_file_is_kept_for_the_worker_and_its_page_says_it_waits(member: Any) -> None:
    nl = member("NL")
    data = iati_file(funding("NL-1"), funding("NL-2"))
    batch = uploaded(nl, data)
    assert batch.outcome == ImportBatch.Outcome.QUEUED and batch.size == len(data)
    assert bytes(ImportUpload.objects.get(batch=batch).data) == data
    assert DBTaskResult.objects.get(task_path="coalition.donors.tasks.import_queued").args_kwargs["args"] == [batch.pk]
    assert not FundingActivity.objects.exists()

    client = browser(nl)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("donors:batch", args=[batch.pk]))
    assert not [q["sql"] for q in queries.captured_queries if WRITES.match(q["sql"])]
    body = text_of(page)
    assert (
        "Waiting for the task worker to begin" in body
        and "The outcome appears on this page when the work ends." in body
    )
    assert (
        'href="{}" data-check-again>Check again'.format(reverse("donors:batch", args=[batch.pk]))
        in page.content.decode()
    )
    assert "core/check_again" in page.content.decode()  # the page asks again by itself, where JavaScript runs
    assert "errors" not in body and "Accepted" not in body


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_the_worker_imports_the_file_and_its_page_then_shows_the_report(member: Any) -> None:
    nl = member("NL")
    batch = uploaded(nl, iati_file(funding("NL-1"), funding("NL-2", country="UG")))
    work()

    batch.refresh_from_db()
    assert (batch.outcome, batch.created, batch.activities, batch.step) == (ImportBatch.Outcome.ACCEPTED, 2, 2, "")
    assert batch.finished_at is not None
    assert sorted(FundingActivity.objects.values_list("identifier", flat=True)) == ["NL-1", "NL-2"]
    assert not ImportUpload.objects.exists()  # the file's bytes are not kept once imported
    body = text_of(browser(nl).get(reverse("donors:batch", args=[batch.pk])))
    assert "Accepted: every activity in the file was imported." in body and re.search(r"New ?2", body)
    assert "Waiting" not in body and "Check again" not in body


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_the_worker_writes_how_far_it_has_got_where_the_page_reads_it_as_it_goes(member: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(tasks, "PROGRESS_SECONDS", 0)
    nl = member("NL")
    batch = uploaded(nl, iati_file(*(funding(f"NL-{n}") for n in range(1, 31))))
    written: list[tuple[tuple[str, int, int], bool]] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.startswith('UPDATE "donors_importbatch" SET "step" = %s, "progress" = %s, "activities" = %s'):
            written.append((tuple(params[:3]), connection.in_atomic_block))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        work()

    steps = [params for params, _in_transaction in written]
    assert ("reading", 1, 30) in steps and ("reading", 30, 30) in steps
    assert ("checking", 15, 30) in steps and ("saving", 0, 30) in steps
    assert [step for step, _done, _total in steps].index("saving") == len(steps) - 1
    assert not any(in_transaction for _params, in_transaction in written)  # each committed as soon as written
    batch.refresh_from_db()
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED and batch.created == 30


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_an_import_under_way_shows_how_many_activities_are_done(member: Any) -> None:
    nl = member("NL")
    batch = uploaded(nl, iati_file(funding("NL-1")))
    ImportBatch.objects.filter(pk=batch.pk).update(
        outcome=ImportBatch.Outcome.RUNNING, step=ImportBatch.Step.CHECKING, progress=12000, activities=18000
    )
    page = browser(nl).get(reverse("donors:batch", args=[batch.pk]))
    body = text_of(page)
    assert "Being imported" in body and "Checking the activities" in body and "12000 of 18000 activities" in body
    assert '<progress id="import-progress" max="18000" value="12000"></progress>' in page.content.decode()

    ImportBatch.objects.filter(pk=batch.pk).update(step=ImportBatch.Step.SAVING, progress=0)
    body = text_of(browser(nl).get(reverse("donors:batch", args=[batch.pk])))
    assert "18000 activities: all of them or none are saved." in body


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_a_file_the_worker_refuses_leaves_nothing_but_its_report(member: Any) -> None:
    nl = member("NL")
    batch = uploaded(nl, iati_file(funding("NL-1"), funding("NL-1")))
    work()
    batch.refresh_from_db()
    assert batch.outcome == ImportBatch.Outcome.REFUSED and "used twice" in batch.errors[0]["message"]
    assert not FundingActivity.objects.exists() and not ImportUpload.objects.exists()
    body = text_of(browser(nl).get(reverse("donors:batch", args=[batch.pk])))
    assert "Refused: nothing from this file was saved." in body and "NL-1" in body


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_the_worker_asks_the_policy_again_and_refuses_for_someone_no_longer_in_post(member: Any) -> None:
    nl = member("NL")
    batch = uploaded(nl, iati_file(funding("NL-1")))
    Position.objects.filter(person=nl.person).update(ends_on=dt.date.today() - dt.timedelta(days=1))
    work()
    batch.refresh_from_db()
    assert batch.outcome == ImportBatch.Outcome.REFUSED
    assert batch.errors[0]["message"] == (
        "the person who uploaded the file may no longer import for Government of NL: nothing was saved"
    )
    assert not FundingActivity.objects.exists() and not ImportUpload.objects.exists()


@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_a_fault_half_way_through_saving_leaves_no_activity_saved(member: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(importing, "CHUNK", 2)  # five activities: three chunks, the second one fails
    real = Allocation.objects.bulk_create
    calls = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(Allocation.objects, "bulk_create", failing)
    nl = member("NL")
    batch = uploaded(nl, iati_file(*(funding(f"NL-{n}") for n in range(1, 6))))
    work()
    batch.refresh_from_db()
    assert batch.outcome == ImportBatch.Outcome.REFUSED and batch.errors[0]["message"] == tasks.FAULT
    assert not FundingActivity.objects.exists() and not Allocation.objects.exists()
    assert not ImportUpload.objects.exists()
    assert DBTaskResult.objects.get(task_path="coalition.donors.tasks.import_queued").status == "FAILED"


@override_settings(TASKS=AS_DEPLOYED)
def test_even_a_small_file_is_imported_by_the_worker_never_in_the_web_request(member: Any) -> None:
    """Issue 16 item 7: a file's size says little of the work of reading it, so no upload is read in the request."""
    nl = member("NL")
    batch = uploaded(nl, iati_file(funding("NL-1")))
    assert batch.outcome == ImportBatch.Outcome.QUEUED and not FundingActivity.objects.exists()
    assert DBTaskResult.objects.filter(task_path="coalition.donors.tasks.import_queued").exists()
    work()
    batch.refresh_from_db()
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED and FundingActivity.objects.count() == 1


@pytest.mark.django_db
def test_an_import_writes_its_new_activities_a_chunk_at_a_time_not_one_by_one(member: Any) -> None:
    """Eight statements for each activity were most of the ten minutes; now a chunk of 500 takes a handful."""
    nl = member("NL")

    def statements(identifiers: list[str]) -> int:
        with CaptureQueriesContext(connection) as queries:
            imported(nl, *(funding(identifier, implementer_ref="XM-OCHA-1") for identifier in identifiers))
        return len(queries.captured_queries)

    few = statements(["NL-1", "NL-2"])
    many = statements([f"NL-{n}" for n in range(3, 123)])
    assert many - few <= 120 / 20  # the database's limit on parameters splits an insert, never one per activity
    assert FundingActivity.objects.count() == 122
    assert Allocation.objects.filter(activity__identifier="NL-122").count() == 1
    assert FundingActivity.objects.get(identifier="NL-122").lines.count() == 2
