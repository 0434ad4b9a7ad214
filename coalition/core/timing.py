"""The server's own timing of a request: the worker's CPU and the database's share, in a `Server-Timing` header.

Off unless `SERVER_TIMING` is on (docs/operations.md): how long a page costs is information an attacker need not
have (it tells a slow check from a fast one). The bench (`bench/page_cost.py`) turns it on to measure pages.

`cpu` is the CPU time of the thread that served the request (`time.thread_time()`: user and system, this thread
only, so the other threads of a threaded worker do not count), from the first middleware to the response leaving it;
`db` is the wall time spent in database calls, with the number of queries in its description.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse


class QueryClock:
    """A database execute wrapper that counts queries and adds up the time spent in them."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


class ServerTimingMiddleware:
    """Adds `Server-Timing: cpu;dur=<ms>, db;dur=<ms>;desc="<n> queries"` when `SERVER_TIMING` is on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not getattr(settings, "SERVER_TIMING", False):
            return self.get_response(request)
        clock = QueryClock()
        cpu_start = time.thread_time()
        connection = connections["default"]
        with connection.execute_wrapper(clock):
            response = self.get_response(request)
        cpu_ms = (time.thread_time() - cpu_start) * 1000
        response["Server-Timing"] = server_timing(cpu_ms=cpu_ms, db_ms=clock.seconds * 1000, queries=clock.count)
        return response


def server_timing(*, cpu_ms: float, db_ms: float, queries: int) -> str:
    return f'cpu;dur={cpu_ms:.2f}, db;dur={db_ms:.2f};desc="{queries} queries"'
