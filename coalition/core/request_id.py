"""One id per request, on every log line it causes: taken from the proxy's X-Request-ID when it is a sane token (so
the proxy's access log and ours meet), made here otherwise, and sent back on the response. A task enqueued during the
request carries it to the worker, whose log lines for that task show it too.

The id travels beside the task, not in it: django-tasks has no room for metadata, so the enqueue signal leaves it in
the shared cache under the task's id, and the worker's start signal picks it up (the immediate backend runs the task
inside the request, which already has it)."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.signals import task_enqueued, task_finished, task_started

HEADER = "X-Request-ID"
SANE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")  # a UUID, a hex digest, a proxy's own token: nothing to inject a log
CACHE_KEY = "request-id:task:{}"
CACHE_SECONDS = 7 * 24 * 60 * 60  # a task waiting longer than a week loses its request's id, nothing else

logger = logging.getLogger(__name__)
current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_tokens: dict[str, contextvars.Token[str]] = {}


class RequestIdMiddleware:
    """Outermost: every log line of the request, any middleware's too, carries the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        request_id = given if SANE.match(given) else uuid.uuid4().hex
        token = current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (`-` outside a request or a task that came from one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get() or "-"
        return True


def _immediate(sender: Any) -> bool:
    """The backend runs the task in the request (the signals' sender is the backend's class, or from db_worker its
    instance)."""
    return issubclass(sender if isinstance(sender, type) else type(sender), ImmediateBackend)


def _enqueued(sender: Any, task_result: Any, **kwargs: Any) -> None:
    request_id = current.get()
    if request_id and not _immediate(sender):
        try:
            cache.set(CACHE_KEY.format(task_result.id), request_id, CACHE_SECONDS)
        except Exception:  # the id is for the logs: never a reason to fail the request that enqueued
            logger.warning("Request id not kept for task %s", task_result.id, exc_info=True)


def _started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    if _immediate(sender):
        return
    try:
        request_id = cache.get(CACHE_KEY.format(task_result.id))
    except Exception:  # nor a reason to fail the task
        logger.warning("Request id of task %s not read", task_result.id, exc_info=True)
        return
    if request_id:
        _tokens[str(task_result.id)] = current.set(request_id)


def _finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    token = _tokens.pop(str(task_result.id), None)
    if token is not None:
        current.reset(token)
        try:
            cache.delete(CACHE_KEY.format(task_result.id))
        except Exception:  # it expires anyway
            logger.warning("Request id of task %s not forgotten", task_result.id, exc_info=True)


def connect() -> None:
    task_enqueued.connect(_enqueued, dispatch_uid="request_id.enqueued")
    task_started.connect(_started, dispatch_uid="request_id.started")
    task_finished.connect(_finished, dispatch_uid="request_id.finished")
