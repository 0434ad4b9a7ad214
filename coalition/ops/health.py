"""`/healthz` and `/readyz`, for load balancers, service managers and uptime monitors.

`/healthz`: the process answers (nothing else is asked: a database outage must not get every web process restarted).
`/readyz`: whether this web process can serve and the platform behind it works — 200 when ready, 503 when not, and a
JSON body naming each check with its state (`ok`, `degraded`, `unhealthy`, `not applicable`). No check's body names
an address, a user or a secret: an error is reported by its kind only.

The library index's drift is `degraded`, not `unhealthy`: every page still works, search misses or repeats a few
paragraphs, and the scheduler's `library_index` job rebuilds it; taking web processes out of rotation would turn a
search blemish into an outage."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from coalition.core.access import access
from coalition.library import indexing
from coalition.ops import heartbeats

OK, DEGRADED, UNHEALTHY, NOT_APPLICABLE = "ok", "degraded", "unhealthy", "not applicable"
Check = dict[str, Any]


def database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"state": OK}


def cache_check() -> Check:
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 10)  # the cache's own table when it is the database's: no record of ours is written
    found = cache.get(key)
    cache.delete(key)
    return {"state": OK if found == value else UNHEALTHY}


def queue_depth() -> int | None:
    """Tasks ready and waiting; None with the immediate backend, which has no queue."""
    if settings.TASKS_BACKEND == "database":
        from django_tasks_db.models import DBTaskResult

        return int(DBTaskResult.objects.ready().count())
    if settings.TASKS_BACKEND == "redis":
        import django_rq

        return int(django_rq.get_queue("default").count)
    return None


def queue() -> Check:
    depth = queue_depth()
    return {"state": NOT_APPLICABLE} if depth is None else {"state": OK, "depth": depth}


def heartbeat(name: str) -> Callable[[], Check]:
    def check() -> Check:
        seconds = heartbeats.age(name)
        if seconds is None:
            return {"state": UNHEALTHY, "age_seconds": None, "why": "never beat"}
        stale = seconds > settings.READY_HEARTBEAT_STALE_SECONDS
        return {"state": UNHEALTHY if stale else OK, "age_seconds": round(seconds, 1)}

    return check


def worker() -> Check:
    if settings.TASKS_BACKEND == "immediate":
        return {"state": NOT_APPLICABLE, "why": "tasks run in the request"}
    return heartbeat("worker")()


_drift_seen: dict[str, Any] = {}  # this process's last drift check: {"at": monotonic seconds, "check": Check}


def library_index() -> Check:
    """The index's drift, worked out at most every READY_DRIFT_CHECK_SECONDS in this process: it reads every
    paragraph id, and probes come every few seconds while drift changes only when the library is edited."""
    now = time.monotonic()
    seen = _drift_seen.get("check")
    if seen is not None and now - _drift_seen["at"] < settings.READY_DRIFT_CHECK_SECONDS:
        return dict(seen)
    missing, stale = indexing.drift()
    check: Check = {"state": OK}
    if missing or stale:
        check = {"state": DEGRADED, "missing": len(missing), "stale": len(stale)}
    _drift_seen.update(at=now, check=check)
    return dict(check)


CHECKS: dict[str, Callable[[], Check]] = {
    "database": database,
    "cache": cache_check,
    "task_queue": queue,
    "worker": worker,
    "scheduler": heartbeat("scheduler"),
    "library_index": library_index,
}


def run_checks() -> tuple[bool, dict[str, Check]]:
    results: dict[str, Check] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:  # its kind only: a message may hold a host name or a DSN
            results[name] = {"state": UNHEALTHY, "error": type(error).__name__}
    return all(result["state"] != UNHEALTHY for result in results.values()), results


def _no_store(response: JsonResponse) -> JsonResponse:
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@access("ops.health")
def healthz(request: HttpRequest) -> JsonResponse:
    return _no_store(JsonResponse({"status": "ok"}))


@require_GET
@access("ops.health")
def readyz(request: HttpRequest) -> JsonResponse:
    ready, checks = run_checks()
    states = {check["state"] for check in checks.values()}
    status = UNHEALTHY if not ready else DEGRADED if DEGRADED in states else OK
    return _no_store(JsonResponse({"status": status, "checks": checks}, status=200 if ready else 503))
