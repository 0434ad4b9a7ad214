"""A fast-tracked statement's publication lands on its situation's timeline (for the time-to-statement metric's
story, the metric itself reads the statement)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from coalition.response.timeline import record_statement_published
from coalition.statements.models import Statement


def _on_statement(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.published_at is None:
        return
    for situation in instance.situations.all():
        record_statement_published(situation)


def connect() -> None:
    post_save.connect(_on_statement, sender=Statement, dispatch_uid="response.statement_published")
