"""The platform's own bookkeeping rows: the heartbeats of its long-running processes (coalition/ops/heartbeats.py)."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """The last sign of life of one kind of process (`worker`, `scheduler`): `/readyz` calls it stale after
    READY_HEARTBEAT_STALE_SECONDS. Several workers share one row, so it says that at least one of them is alive."""

    name = models.CharField(max_length=40, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} on {self.host} (pid {self.pid}) at {self.beat_at:%Y-%m-%d %H:%M:%S}"
