"""`manage.py run_worker`: the task backend's own worker, with a heartbeat.

The worker is the backend's command (`db_worker` for the database backend, `rqworker` for Redis), run in this process
through `call_command`, so it keeps its own signal handling and graceful stop; beside it a daemon thread records the
`worker` heartbeat every HEARTBEAT_SECONDS, which `/readyz` reads. Without forking the libraries, a worker that stops
for any reason stops beating. The immediate backend runs tasks in the request and has no worker."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from coalition.ops import heartbeats

# The backend's worker command and its options. No auto-reload: a reloader's parent process would keep beating
# while its child, the worker, is down.
COMMANDS: dict[str, tuple[list[str], dict[str, Any]]] = {
    "database": (["db_worker"], {"reload": False}),
    "redis": (["rqworker", "--job-class", "django_tasks_rq.backend.Job", "default"], {}),
}


class Command(BaseCommand):
    help = "Run the background task worker of TASKS_BACKEND, recording its heartbeat for /readyz."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TASKS_BACKEND not in COMMANDS:
            raise CommandError(f"TASKS_BACKEND={settings.TASKS_BACKEND} runs tasks in the request: no worker to run.")
        command, worker_options = COMMANDS[settings.TASKS_BACKEND]
        heartbeats.start("worker")
        call_command(*command, verbosity=options["verbosity"], **worker_options)
