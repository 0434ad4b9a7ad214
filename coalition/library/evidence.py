"""Reuse found in the library as uptake evidence for activity 1A.6 (language of the coalition taken up elsewhere)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from coalition.core import policy
from coalition.core.evidence import EvidenceType, register
from coalition.library.models import ReuseRecord


def _visible_records(user: Any) -> QuerySet[Any]:
    """The records whose two paragraphs `user` may read (the policy follows `ReuseRecord.visible_through`), with
    the paragraphs and sources that their titles and classifications are read from, in the same query."""
    return policy.visible_to(user, ReuseRecord).select_related("origin__source", "target__source")


def _title(record: Any) -> str:
    return f"{record.target.source} ¶{record.target.label} takes up {record.origin.source} ¶{record.origin.label}"


def register_types() -> None:
    register(
        EvidenceType(
            key="library.reuse",
            label="Reuse of agreed language",
            model=ReuseRecord,
            url=lambda record: reverse("library:lineage", args=[record.target_id]),
            title=_title,
            visible=_visible_records,
        )
    )
