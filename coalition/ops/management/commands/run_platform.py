import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from coalition.library import indexing

# The worker for each task backend; the immediate backend runs tasks in the request and needs none. `run_worker` runs
# the backend's own worker (`db_worker`, `rqworker`) and records its heartbeat for /readyz.
WORKERS = {
    "database": ["run_worker"],
    "redis": ["run_worker"],
}
# How long a child has to finish what it is doing (a task, a request) once asked to stop, before it is killed.
STOP_GRACE_SECONDS = 10
# The production server and its settings (config/gunicorn.py); requests under way get a little less than the grace
# period above, so gunicorn ends them itself before anything is killed.
WEB_SERVER = ["-m", "gunicorn", "--config", "config/gunicorn.py", "--graceful-timeout", str(STOP_GRACE_SECONDS - 2)]
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class Stop(Exception):
    """A stop signal reached this process: its children are stopped before it exits."""


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise Stop(signum)


def stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    """Ask every child, with the processes it started, to stop (each leads its own process group: gunicorn's
    workers, the development server's reloaded copy), then wait for each, killing a group that outlasts the grace
    period."""
    for child in children:
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            child.wait()


def _signal_group(child: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    """Signal a child and every process in its group (one whose leader has already ended may have some left)."""
    try:
        os.killpg(child.pid, signum)
    except (ProcessLookupError, PermissionError):
        if child.poll() is None:
            child.send_signal(signum)


class Command(BaseCommand):
    help = (
        "Run the web server (gunicorn, as in production), the background task worker and the scheduler together "
        "(the README's run command)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default=f"127.0.0.1:{settings.PORT}", help="Default: 127.0.0.1:$PORT.")
        parser.add_argument(
            "--dev",
            action="store_true",
            help="Django's development server, reloading on code changes, instead of gunicorn (`make dev`).",
        )

    def handle(self, *args: Any, addr: str, dev: bool = False, **options: Any) -> None:
        """The web server, the worker and the scheduler run as this process's children, and it stays to watch them:
        stopped by a signal (SIGTERM from a service manager, Ctrl-C) or by one of them ending (the port taken, a
        crash), it stops and waits for the others, so no worker or scheduler is left running on its own. With the
        immediate task backend there is no worker: the scheduler's jobs run in the scheduler's process."""
        missing, stale = indexing.drift()
        if missing or stale:  # a new or deleted index folder: the database is the record
            self.stdout.write(f"Library index rebuilt: {indexing.rebuild()} paragraphs.")
        for signum in STOP_SIGNALS:
            signal.signal(signum, _stop)
        children: list[subprocess.Popen[bytes]] = []
        self.names: dict[int, str] = {}
        try:
            if dev:
                self.start("Web server", ["manage.py", "runserver", addr], children)
            else:
                self.start("Web server", [*WEB_SERVER, "--bind", addr, "config.wsgi"], children)
            command = WORKERS.get(settings.TASKS_BACKEND)
            if command:
                self.start("Task worker", ["manage.py", *command], children)
            self.start("Scheduler", ["manage.py", "run_scheduler"], children)
            self.stdout.write(f"Coalition at http://{addr}/")
            ended = self.watch(children)
        except Stop as stopped:
            name = signal.Signals(stopped.args[0]).name
            self.stdout.write(f"{name} received: stopping the web server, the worker and the scheduler.")
            return
        finally:
            for signum in STOP_SIGNALS:  # a second Ctrl-C must not cut the waiting short and leave a child behind
                signal.signal(signum, signal.SIG_IGN)
            stop_children(children)
        raise CommandError(f"The {self.names[ended.pid].lower()} stopped (exit status {ended.returncode}).")

    def start(self, name: str, arguments: list[str], children: list[subprocess.Popen[bytes]]) -> None:
        """Start a child (this Python, with `arguments`) and put it in `children` before anything else can run: a
        stop signal arriving while its start is reported must find it there, or the child would be left running.
        Each child leads its own process group, so what it starts can be stopped with it."""
        children.append(subprocess.Popen([sys.executable, *arguments], process_group=0))  # noqa: S603
        child = children[-1]
        self.names[child.pid] = name
        self.stdout.write(f"{name} started (pid {child.pid}).")
        self.stdout.flush()

    @staticmethod
    def watch(children: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
        """Wait until one child ends, and return it."""
        while True:
            for child in children:
                if child.poll() is not None:
                    return child
            time.sleep(0.5)
