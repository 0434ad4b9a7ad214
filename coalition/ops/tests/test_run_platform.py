"""The README's run command (issue 17, item 5): it serves on the port it is given, links follow that port, and
stopping it stops the web server and the task worker with it — a service manager's SIGTERM left the worker running.
Issue 19: the scheduler is its third child, watched and stopped the same way. Issue 20: the web server is gunicorn,
the production server, serving pages and static files while the worker runs the tasks the scheduler hands it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from coalition.ops.management.commands import run_platform

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url() -> str:
    """The test database this test's process uses, for the command's processes to share."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def alive(pid: int) -> bool:
    """A process that exists and is not a zombie (one reaped late by an init that does not reap is gone too)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state not in {"Z", "X"}


def fetch(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
        return answer.status, dict(answer.headers), answer.read()


def command_line(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")


def answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
    except urllib.error.HTTPError:
        return True  # any page, even a refusal, is the server answering
    except OSError:
        return False
    return True


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path, set[int]]]:
    """`manage.py run_platform` with the database task backend (so with a worker), on a free port given as PORT."""
    port = free_port()
    out = tmp_path / "run_platform.out"
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "TASKS_BACKEND": "database",
        "DATABASE_URL": database_url(),
        "COALITION_VAR_DIR": str(tmp_path),
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("SITE_URL", None)
    with out.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_platform"], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    seen: set[int] = set()
    try:
        yield process, port, out, seen
    finally:
        for pid in [process.pid, *seen]:  # nothing left behind, whatever the test found
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        process.wait()


def children_of(pid: int) -> set[int]:
    """The processes `pid` started, as the kernel knows them (not as the command says)."""
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return set()
    return {int(child) for child in listed.split()}


def started_pid(out: Path, name: str) -> int:
    """The pid run_platform reported for a child (`<name> started (pid N).`)."""
    line = next(line for line in out.read_text().splitlines() if line.startswith(f"{name} started (pid "))
    return int(line.rpartition("pid ")[2].rstrip(")."))


def wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.25)
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from Linux's /proc")
@pytest.mark.django_db(transaction=True)
def test_run_platform_serves_through_gunicorn_and_stopping_it_stops_every_process(
    platform: tuple[subprocess.Popen[bytes], int, Path, set[int]],
) -> None:
    process, port, out, seen = platform
    assert wait_until(lambda: answers(port) or process.poll() is not None, 120), out.read_text()
    assert process.poll() is None, out.read_text()
    assert "Task worker started" in out.read_text()
    assert wait_until(lambda: "decide_rounds: task" in out.read_text(), 60), out.read_text()  # its first run
    children = children_of(process.pid)
    seen.update(children)
    assert len(children) == 3 and all(alive(pid) for pid in children), out.read_text()
    assert {started_pid(out, name) for name in ("Web server", "Task worker", "Scheduler")} == children

    # The web server is the production one: gunicorn's master, with its workers below it, answering as gunicorn.
    web = started_pid(out, "Web server")
    assert "gunicorn" in command_line(web) and "runserver" not in command_line(web)
    workers = children_of(web)
    seen.update(workers)
    assert workers and all("gunicorn" in " ".join(command_line(pid)) for pid in workers)
    status, headers, page = fetch(port, "/")
    assert status == 200 and headers["Server"].startswith("gunicorn") and b"<html" in page
    status, headers, css = fetch(port, "/static/core/coalition.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css") and css
    # The scheduler's first tasks went through the queue, and the worker ran them.
    assert wait_until(
        lambda: DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL, finished_at__isnull=False).exists(),
        60,
    ), list(DBTaskResult.objects.values_list("task_path", "status", "traceback")[:2])

    process.send_signal(signal.SIGTERM)  # as a service manager stops it (Ctrl-C takes the same path)
    process.wait(timeout=30)

    gone = children | workers
    assert wait_until(lambda: not any(alive(pid) for pid in gone), 5), [p for p in gone if alive(p)]
    assert not answers(port)


def site_url(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT"}}
    command = [
        sys.executable,
        "-c",
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)",
    ]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip()


def test_links_follow_the_port_the_platform_runs_on() -> None:
    assert site_url(PORT="8765") == "http://127.0.0.1:8765"
    assert site_url() == "http://127.0.0.1:8000"


def test_a_site_url_named_by_the_deployment_wins_over_the_port() -> None:
    assert site_url(PORT="8765", SITE_URL="https://coalition.example.org/") == "https://coalition.example.org"


def test_a_child_started_as_the_stop_signal_arrives_is_still_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Review of issue 17 item 5: a stop signal raised while a child's start was being reported (after it began,
    before it was listed) left that child out of the list that is stopped, running on alone."""

    class Started:
        pid = 4242

    class Interrupted:
        def write(self, _text: str) -> None:
            raise run_platform.Stop(signal.SIGTERM)

        def flush(self) -> None:
            pass

    monkeypatch.setattr(run_platform.subprocess, "Popen", lambda *_args, **_kwargs: Started())
    command = run_platform.Command()
    command.stdout = Interrupted()  # type: ignore[assignment]
    command.names = {}
    children: list[subprocess.Popen[bytes]] = []
    with pytest.raises(run_platform.Stop):
        command.start("Task worker", ["db_worker"], children)
    assert [child.pid for child in children] == [4242]
