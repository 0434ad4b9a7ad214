"""A situation's timeline: what happened in the room and when, for its story and its after-action review (PoA 1B.3).
Kept apart from the services so the statement-published signal handler, which runs in every process, does not load
the detector's NumPy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coalition.response.models import Situation, TimelineEntry


def add(situation: Situation, kind: str, text: str, *, by: Any = None, at: dt.datetime | None = None) -> None:
    TimelineEntry.objects.create(situation=situation, kind=kind, text=text[:500], by=by, at=at or timezone.now())


def record_statement_published(situation: Situation) -> None:
    """The fast-tracked statement was published: note it on the timeline (once)."""
    statement = situation.statement
    if statement is not None and not situation.timeline.filter(kind="published").exists():
        add(situation, "published", "Country statement published", at=statement.published_at)
