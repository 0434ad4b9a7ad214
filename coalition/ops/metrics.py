"""Prometheus metrics (prometheus-client): request latency by route, responses by status class, task durations and
outcomes, the task queue's depth, sign-in failures and ledger appends (read from the ledger's head when scraped).

Routes are the URL patterns (`statements/<slug:slug>/`), never raw paths, so a label has as many values as the
platform has pages. Under gunicorn each worker process counts its own; with PROMETHEUS_MULTIPROC_DIR set (an empty
folder shared by the web processes and the task worker, emptied at each start) `/metrics` adds every process up,
and the worker's task metrics reach it that way too. `/metrics` answers the operator's network
(METRICS_ALLOWED_NETWORKS) or a bearer token (METRICS_TOKEN) only; anyone else gets 404."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from django_tasks.signals import task_finished
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from coalition.core.access import access
from coalition.core.models import LedgerHead
from coalition.ops import health

logger = logging.getLogger(__name__)

REQUEST_SECONDS = Histogram(
    "coalition_http_request_duration_seconds",
    "Time to answer a request, by URL pattern and method.",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10),
)
RESPONSES = Counter(
    "coalition_http_responses_total", "Responses, by URL pattern and status class.", ["route", "status"]
)
TASK_SECONDS = Histogram(
    "coalition_task_duration_seconds",
    "Time a background task ran, by task.",
    ["task"],
    buckets=(0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900),
)
TASKS = Counter("coalition_tasks_finished_total", "Background tasks finished, by task and outcome.", ["task", "status"])
SIGN_IN_FAILURES = Counter("coalition_sign_in_failures_total", "Failed sign-ins (wrong password or unknown account).")


class MetricsMiddleware:
    """Just inside the request-id middleware: times everything below it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None else "<unmatched>"  # static files, 404s: one label between them
        REQUEST_SECONDS.labels(route=route, method=_method(request.method)).observe(time.perf_counter() - started)
        RESPONSES.labels(route=route, status=f"{response.status_code // 100}xx").inc()
        return response


def _method(method: str | None) -> str:
    return method if method in {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} else "other"


def _task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    try:
        name = task_result.task.module_path
        TASKS.labels(task=name, status=str(task_result.status.value).lower()).inc()
        if task_result.started_at and task_result.finished_at:
            TASK_SECONDS.labels(task=name).observe((task_result.finished_at - task_result.started_at).total_seconds())
    except Exception:  # an error here would be taken for the task's own and mark it failed
        logger.warning("Task metrics not recorded", exc_info=True)


def _sign_in_failed(sender: Any, **kwargs: Any) -> None:
    SIGN_IN_FAILURES.inc()


def connect() -> None:
    task_finished.connect(_task_finished, dispatch_uid="metrics.task_finished")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="metrics.sign_in_failed")


class QueueDepth:
    """The task queue's depth, computed when scraped (a gauge kept by each process would disagree)."""

    def describe(self) -> list[Metric]:
        return []  # nothing asked of the database when registered

    def collect(self) -> Iterator[Metric]:
        depth = health.queue_depth()
        if depth is not None:
            yield GaugeMetricFamily("coalition_task_queue_depth", "Tasks ready and waiting for a worker.", depth)


class LedgerAppends:
    """Events appended to the audit ledger: the head's sequence number, read when scraped. Exact whichever process
    appended, and nothing is queued in the appending transaction (a rolled-back append was never counted)."""

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        head = LedgerHead.objects.values_list("seq", flat=True).first() or 0
        yield CounterMetricFamily("coalition_ledger_appends", "Events appended to the audit ledger.", head)


class ThisProcess:
    """This process's own metrics, when there is no multiprocess folder to add up."""

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def scrape() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(ThisProcess())
    registry.register(QueueDepth())
    registry.register(LedgerAppends())
    return generate_latest(registry)


def allowed(request: HttpRequest) -> bool:
    """The operator's Prometheus: a bearer token equal to METRICS_TOKEN (compared in constant time), or an address in
    METRICS_ALLOWED_NETWORKS. Behind a proxy every request comes from the proxy's address: list the proxy's network
    only if the proxy itself refuses /metrics from outside, or use the token."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer "):
        return hmac.compare_digest(given.removeprefix("Bearer ").strip().encode(), token.encode())
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_NETWORKS)


@require_GET
@access("ops.metrics")
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        raise Http404  # as if there were no such address
    response = HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
