"""The task worker's side of the notification service: sending queued emails, and retrying those that are due."""

from __future__ import annotations

from django_tasks import task

from coalition.notifications import service


@task()
def send_deliveries(ids: list[int]) -> dict[str, int]:
    """Send the deliveries a `notify` queued, once its transaction committed."""
    return service.deliver(ids)


@task()
def send_due_deliveries() -> dict[str, int]:
    """Retry what is due (the scheduler runs this every cycle)."""
    return service.deliver_due()
