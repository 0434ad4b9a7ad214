"""`manage.py run_scheduler [--once] [--job NAME]`: the platform's periodic work (coalition/ops/schedule.py).

APScheduler's blocking scheduler runs each job of the table at its interval, the first time as it starts (work that
fell due while nothing ran is caught up at once); a job only enqueues its task for the worker. One job runs at a time
(one executor thread), a late run is merged into one (`coalesce`), and a run is never skipped for being late.
`--once` enqueues every job (or those named) once, now, and exits: for tests, and for a deployment that prefers its
own timer. SIGTERM and Ctrl-C let the job under way finish, then stop."""

from __future__ import annotations

import datetime as dt
import signal
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from coalition.ops import heartbeats, schedule

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class Stop(Exception):
    """A stop signal reached the scheduler."""


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise Stop(signum)


class Command(BaseCommand):
    help = "Run the platform's periodic work (deciding rounds, reminders, ingestion, digests, index checks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="enqueue each job once, now, and exit")
        parser.add_argument(
            "--job",
            action="append",
            choices=[job.name for job in schedule.JOBS],
            help="only this job (repeatable); default: every job whose interval is not 0",
        )

    def handle(self, *args: Any, once: bool, job: list[str] | None, **options: Any) -> None:
        jobs = [j for j in schedule.JOBS if j.name in job] if job else schedule.active()
        if not jobs:
            raise CommandError("No job to run: every SCHEDULE_*_SECONDS is 0.")
        if once:
            said = [schedule.run(each) for each in jobs]
            self.stdout.write("\n".join(said))
            failed = [line for line in said if line.endswith(" failed")]  # a task the immediate backend ran here
            if failed:
                raise CommandError(f"{len(failed)} job(s) failed; the log has their errors.")
            return
        scheduler = BlockingScheduler(
            timezone=dt.UTC,
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        now = dt.datetime.now(dt.UTC)
        for each in jobs:
            scheduler.add_job(
                self.log_run, "interval", args=[each], seconds=each.seconds, id=each.name, next_run_time=now
            )
            self.stdout.write(f"{each.name}: every {each.seconds} s — {each.what}")
        self.stdout.flush()
        for signum in STOP_SIGNALS:
            signal.signal(signum, _stop)
        # Its own thread, not a job: a job under way (the immediate backend's work) must not make the beat late.
        beating = heartbeats.start("scheduler")
        try:
            scheduler.start()
        except Stop as stopped:
            self.stdout.write(f"{signal.Signals(stopped.args[0]).name} received: stopping the scheduler.")
        finally:
            beating.set()
            for signum in STOP_SIGNALS:
                signal.signal(signum, signal.SIG_IGN)
            if scheduler.running:
                scheduler.shutdown(wait=True)  # the job under way finishes its enqueueing (or, immediate, its work)

    def log_run(self, job: schedule.Job) -> None:
        """One scheduled run, in the executor's thread, on a fresh connection (a database restarted between runs
        must not stop the jobs)."""
        close_old_connections()
        try:
            self.stdout.write(schedule.run(job))
        except Exception as error:  # reported; the next run tries again
            self.stderr.write(f"{job.name}: not enqueued ({type(error).__name__}: {error})")
        finally:
            close_old_connections()
        self.stdout.flush()
