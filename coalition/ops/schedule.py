"""The schedule table: the platform's periodic work, which no page and no operator's cron has to start (issue 19).

`manage.py run_scheduler` (a child of `run_platform`, or one process of its own in production) runs each job every
`settings.SCHEDULE_SECONDS[name]` seconds (`SCHEDULE_<NAME>_SECONDS` in the environment; 0 turns a job off). A job
only enqueues its task: the task worker does the work, under its time and memory limits, and with
`TASKS_BACKEND=immediate` the task runs in the scheduler's own process.

Every task here is safe to run twice, or at once in two workers: each claims what it does before doing it (a round
is decided under a row lock and only while open; a reminder, a digest week, an ingested file's hash, a delivery are
claimed by a unique row first) or recomputes the same result (overlap detection, the index rebuild). So a job
enqueued again before the worker reached the last one costs a little work, never a second email; while its previous
run still waits in the database queue, the scheduler does not enqueue it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django_tasks.base import Task, TaskResultStatus

from coalition.core import tasks as core_tasks
from coalition.donors import tasks as donors_tasks
from coalition.library import tasks as library_tasks
from coalition.notifications import tasks as notifications_tasks
from coalition.programme import tasks as programme_tasks
from coalition.response import tasks as response_tasks
from coalition.statements import reminders
from coalition.statements import tasks as statements_tasks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str  # the key of settings.SCHEDULE_SECONDS and of SCHEDULE_<NAME>_SECONDS
    task: Task[Any, Any]
    what: str

    @property
    def seconds(self) -> int:
        seconds = settings.SCHEDULE_SECONDS.get(self.name, 0)
        if seconds < 0:
            raise ImproperlyConfigured(
                f"SCHEDULE_{self.name.upper()}_SECONDS must be 0 (off) or a number of seconds, not {seconds}"
            )
        return seconds


JOBS = (
    Job("decide_rounds", statements_tasks.decide_due_rounds, "decide the sign-on rounds whose deadline has passed"),
    Job("deliver_notifications", notifications_tasks.send_due_deliveries, "send the emails that are due or retried"),
    Job("final_reminders", reminders.send_final_reminders, "remind members that have not answered a closing round"),
    Job("ingest_signals", response_tasks.ingest_signals, "ingest new shutdown signals and raise the alerts"),
    Job("weekly_digests", programme_tasks.send_staleness_digests, "send this ISO week's digests (once a week each)"),
    Job("library_index", library_tasks.check_index, "rebuild the library's search index if it drifted"),
    Job("search_index", core_tasks.check_search_index, "bring the platform search's index in step with the records"),
    Job("donor_overlaps", donors_tasks.detect, "detect overlapping funding across every member"),
)


def active() -> list[Job]:
    """The jobs that run, in the table's order (a job set to 0 seconds is off)."""
    return [job for job in JOBS if job.seconds]


def waiting(job: Job) -> bool:
    """Whether the job's previous run still waits in the database queue for a worker (other backends: no queue the
    scheduler can read, and the task's own claims keep a second run harmless)."""
    if settings.TASKS_BACKEND != "database":
        return False
    from django_tasks_db.models import DBTaskResult  # the database backend's table, installed with it

    return DBTaskResult.objects.filter(task_path=job.task.module_path, status=TaskResultStatus.READY).exists()


def run(job: Job) -> str:
    """Enqueue the job's task once (unless its last run still waits); returns what happened, for the log."""
    if waiting(job):
        return f"{job.name}: the previous run still waits for the worker"
    result = job.task.enqueue()
    return f"{job.name}: task {result.id} {result.status.lower()}"
