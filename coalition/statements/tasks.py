"""Scheduled work of the statements (run by the task worker when `manage.py run_scheduler` enqueues it)."""

from __future__ import annotations

from django_tasks import task

from coalition.statements import services


@task()
def decide_due_rounds() -> int:
    """Decide every open round whose deadline has passed; returns how many were decided. Safe to run twice or at
    once in two workers: `services.decide` locks each round and decides it only while it is still open."""
    return services.decide_due()
