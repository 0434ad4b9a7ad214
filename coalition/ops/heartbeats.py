"""Heartbeats of the task worker and the scheduler: a daemon thread in each process writes its row every
HEARTBEAT_SECONDS, and `/readyz` reads how old it is. A thread rather than the process's own loop, so a beat is never
late behind a long task; it dies with its process, which is what the check is about (a worker whose process is alive
but stuck in one task is seen by the queue's depth, not here)."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import connection
from django.utils import timezone

from coalition.ops.models import Heartbeat

logger = logging.getLogger(__name__)


def beat(name: str) -> None:
    """Record that the process called `name` is alive, now."""
    Heartbeat.objects.update_or_create(
        name=name, defaults={"host": socket.gethostname()[:255], "pid": os.getpid(), "beat_at": timezone.now()}
    )


def age(name: str) -> float | None:
    """Seconds since the last beat of `name`, or None if it never beat."""
    beat_at = Heartbeat.objects.filter(name=name).values_list("beat_at", flat=True).first()
    return None if beat_at is None else max((timezone.now() - beat_at).total_seconds(), 0.0)


def start(name: str) -> threading.Event:
    """Beat in a daemon thread until the returned event is set (or the process ends)."""
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                beat(name)
            except Exception as error:  # a database restarting: the next beat tries again
                logger.warning("%s heartbeat not recorded (%s: %s)", name, type(error).__name__, error)
            finally:
                connection.close()  # this thread's own connection; a fresh one next time
            stop.wait(settings.HEARTBEAT_SECONDS)

    threading.Thread(target=run, name=f"{name}-heartbeat", daemon=True).start()
    return stop
