import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# The worker for each task backend; the immediate backend runs tasks in the request and needs none.
WORKERS = {
    "database": ["db_worker"],
    "redis": ["rqworker", "--job-class", "django_tasks_rq.backend.Job", "default"],
}


class Command(BaseCommand):
    help = "Run the web server and the background task worker together (the README's run command)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args: Any, addr: str, **options: Any) -> None:
        from coalition.library import indexing

        missing, stale = indexing.drift()
        if missing or stale:  # a new or deleted index folder: the database is the record
            self.stdout.write(f"Library index rebuilt: {indexing.rebuild()} paragraphs.")
        command = WORKERS.get(settings.TASKS_BACKEND)
        worker = subprocess.Popen([sys.executable, "manage.py", *command]) if command else None  # noqa: S603
        if worker:
            self.stdout.write(f"Task worker started (pid {worker.pid}).")
        self.stdout.write(f"Coalition at http://{addr}/")
        try:
            call_command("runserver", addr, use_reloader=False)
        finally:
            if worker:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=10)
