"""A multi-machine deployment selects Redis for the cache and the task queue by environment alone."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
REDIS = ("127.0.0.1", 6379)


def redis_running() -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(REDIS) == 0


def manage(tmp_path: Path, *args: str) -> str:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_ENV": "development",
        "COALITION_VAR_DIR": str(tmp_path),
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "TASKS_BACKEND": "redis",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(not redis_running(), reason="no Redis on 127.0.0.1:6379")
def test_a_task_goes_through_redis_and_an_rq_worker(tmp_path):
    manage(tmp_path, "migrate", "-v0")
    out = manage(
        tmp_path,
        "shell",
        "-v0",
        "-c",
        "from django.conf import settings; from django.core.cache import cache; "
        "from coalition.accounts.tasks import send_security_notice as t; "
        "cache.set('probe', 'shared', 30); "
        "print(settings.CACHES['default']['BACKEND']); "
        "print(t.enqueue(user_id=0, subject='s', body='b').id)",
    )
    backend, task_id = out.split()
    assert backend.endswith("RedisCache")
    manage(tmp_path, "rqworker", "--burst", "--job-class", "django_tasks_rq.backend.Job", "default")
    out = manage(
        tmp_path,
        "shell",
        "-v0",
        "-c",
        "from django.core.cache import cache; from coalition.accounts.tasks import send_security_notice as t; "
        f"r = t.get_result('{task_id}'); print(r.status, r.return_value, cache.get('probe'))",
    )
    assert out.split() == ["SUCCESSFUL", "False", "shared"]
