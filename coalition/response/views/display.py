"""How rapid-response pages say a time to act and a statement's state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.response import queries


def duration(value: dt.timedelta | None) -> str:
    """A time to act, in hours and minutes: “3 h 05 min”; “—” when it has not happened."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    sign = "−" if minutes < 0 else ""
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours} h {minutes:02d} min"


def statement_state(statement: Any) -> str:
    if statement is None:
        return _("None yet")
    if statement.published_at is None:
        return _("Drafting and sign-on")
    if statement.published_at > timezone.now():
        return _("Published, under embargo")
    return _("Published")


@dataclass(frozen=True)
class ShownMetrics:
    metrics: queries.Metrics
    to_opened: str
    to_first_pledge: str
    to_statement: str


def shown_metrics(m: queries.Metrics) -> ShownMetrics:
    return ShownMetrics(m, duration(m.to_opened), duration(m.to_first_pledge), duration(m.to_statement))
