"""The scheduler (issue 19): a sign-on round past its deadline is decided with nobody visiting a page, each job of
the table enqueues its app's task, and running a job twice does its work once.

Telling the focal points the outcome is the notification service's `statements.round_decided` kind, tested with the
scheduler in `statements/tests/test_notices.py`."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone

from coalition.core import search
from coalition.core.models import AuditEvent, SearchEntry
from coalition.ops import schedule
from coalition.statements import services
from coalition.statements.models import Freeze
from coalition.statements.tests.test_views import World, draft, frozen, respond

pytestmark = pytest.mark.django_db


def scheduler_once(*jobs: str) -> str:
    out = StringIO()
    call_command("run_scheduler", "--once", *[arg for job in jobs for arg in ("--job", job)], stdout=out)
    return out.getvalue()


@pytest.fixture
def world(make_user: Any) -> World:
    return World(make_user)


def past_deadline(freeze: Freeze) -> None:
    now = timezone.now()
    Freeze.objects.filter(pk=freeze.pk).update(
        frozen_at=now - dt.timedelta(hours=2), deadline=now - dt.timedelta(hours=1)
    )


def test_a_round_past_its_deadline_is_decided_by_the_scheduler_with_nobody_visiting(world: World) -> None:
    freeze = frozen(draft(world.manager), world.manager)
    client = Client()
    client.force_login(world.nl_focal)
    respond(client, freeze, world.nl, "signed")
    past_deadline(freeze)

    said = scheduler_once()  # every job, as one scheduler cycle

    freeze.refresh_from_db()
    assert freeze.outcome == Freeze.Outcome.CLOSED and freeze.decided_at is not None
    assert "decide_rounds: task" in said and "successful" in said
    assert AuditEvent.objects.filter(action="statements.decided").count() == 1
    scheduler_once("decide_rounds")  # a second run, or one racing it, decides nothing again
    assert AuditEvent.objects.filter(action="statements.decided").count() == 1


def test_until_the_scheduler_runs_the_pages_say_the_round_is_being_decided(world: World) -> None:
    freeze = frozen(draft(world.manager), world.manager)
    past_deadline(freeze)
    client = Client()
    client.force_login(world.nl_focal)

    assert "Deadline passed — being decided" in client.get("/statements/").content.decode()
    assert "Deadline passed — being decided" in client.get(f"/statements/{freeze.statement.slug}/").content.decode()
    assert Freeze.objects.get(pk=freeze.pk).outcome == Freeze.Outcome.OPEN  # the pages wrote nothing

    scheduler_once("decide_rounds")
    assert "Not adopted" in client.get(f"/statements/{freeze.statement.slug}/").content.decode()


def test_a_round_still_open_is_left_open(world: World) -> None:
    freeze = frozen(draft(world.manager), world.manager)
    scheduler_once("decide_rounds")
    assert Freeze.objects.get(pk=freeze.pk).outcome == Freeze.Outcome.OPEN
    assert services.decide_due() == 0


def test_every_job_enqueues_a_task_and_reports_it() -> None:
    said = scheduler_once()
    for job in schedule.JOBS:
        assert f"{job.name}: task " in said


def test_an_interval_of_zero_turns_a_job_off_and_a_negative_one_is_refused() -> None:
    seconds = {job.name: 60 for job in schedule.JOBS}
    with override_settings(SCHEDULE_SECONDS={**seconds, "donor_overlaps": 0}):
        assert "donor_overlaps" not in [job.name for job in schedule.active()]
        assert "donor_overlaps" not in scheduler_once()
    with override_settings(SCHEDULE_SECONDS={**seconds, "donor_overlaps": -5}), pytest.raises(Exception) as refused:
        schedule.active()
    assert "SCHEDULE_DONOR_OVERLAPS_SECONDS" in str(refused.value)
    with override_settings(SCHEDULE_SECONDS=dict.fromkeys(seconds, 0)), pytest.raises(CommandError):
        scheduler_once()


def test_a_job_whose_last_run_still_waits_for_the_worker_is_not_enqueued_again() -> None:
    job = next(job for job in schedule.JOBS if job.name == "decide_rounds")
    with override_settings(TASKS_BACKEND="database", TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        first = schedule.run(job)
        second = schedule.run(job)
    assert "ready" in first
    assert second == "decide_rounds: the previous run still waits for the worker"


def test_the_scheduler_mends_the_search_index_after_a_write_that_sent_no_signal(world: World) -> None:
    SearchEntry.objects.all().delete()  # as a bulk write or a restored database would leave it
    assert any(d.missing for d in search.check_drift(repair=False))
    assert "search_index: task " in scheduler_once("search_index")
    assert all(d.count == 0 for d in search.check_drift(repair=False))
