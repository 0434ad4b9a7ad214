"""How any app offers its records as evidence for Program of Action activities, without `programme` importing it.

The registry lives in `core`, below every app, so any app (directory included) can register. An app registers each
kind of record once, in its AppConfig.ready():

    from coalition.core.evidence import EvidenceType, register

    register(EvidenceType(
        key="statements.statement",            # stable; stored with every link
        label="Statement",
        model=Statement,                       # a Classified model, or one with fixed_classification
        url=lambda statement: statement.get_absolute_url(),
        related=("document",),                 # what url and title read, loaded with the records (optional)
        suggests=lambda statement: "done" if statement.is_published else None,   # optional
    ))

`programme` then shows a linked record only if `policy.visible_to(viewer, model)` keeps it, so evidence is
filtered by the viewer's access exactly like the record's own pages. A `suggests` answer becomes a status
proposal that a person confirms; nothing changes an activity's status by itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet

from coalition.core import policy


@dataclass(frozen=True)
class EvidenceType:
    key: str
    label: str
    model: type[Model]
    url: Callable[[Any], str]
    title: Callable[[Any], str] = str
    suggests: Callable[[Any], str | None] | None = None
    # For records whose visibility follows another record (a participation step follows its organisation):
    # the records `user` may see, built from policy.visible_to. Default: visible_to(user, model).
    visible: Callable[[Any], QuerySet[Any]] | None = None
    # The relations `title` and `url` follow (a statement's title is its document's), loaded in the same query as
    # the records: a page listing evidence costs one query per kind, however many records.
    related: tuple[str, ...] = ()

    def records_for(self, user: Any) -> QuerySet[Any]:
        records = self.visible(user) if self.visible else policy.visible_to(user, self.model)
        return records.select_related(*self.related) if self.related else records


_TYPES: dict[str, EvidenceType] = {}


def register(kind: EvidenceType) -> None:
    existing = _TYPES.get(kind.key)
    if existing is not None and existing.model is not kind.model:
        raise ValueError(f"Evidence type {kind.key!r} is already registered for {existing.model.__name__}")
    _TYPES[kind.key] = kind


def registered() -> dict[str, EvidenceType]:
    return dict(_TYPES)


def kind_of(key: str) -> EvidenceType:
    try:
        return _TYPES[key]
    except KeyError:
        raise LookupError(f"No evidence type {key!r} is registered") from None


@dataclass(frozen=True)
class Evidence:
    link: Any  # EvidenceLink
    kind: EvidenceType
    record: Any

    @property
    def title(self) -> str:
        return self.kind.title(self.record)

    @property
    def url(self) -> str:
        return self.kind.url(self.record)


def visible_evidence(user: Any, links: Iterable[Any]) -> list[Evidence]:
    """The links whose records `user` may see, with those records: one query per kind of record."""
    by_kind: dict[str, list[Any]] = defaultdict(list)
    for link in links:
        if link.record_type in _TYPES:
            by_kind[link.record_type].append(link)
    shown = []
    for key, kind_links in by_kind.items():
        kind = _TYPES[key]
        ids = {link.record_id for link in kind_links}
        records = {str(r.pk): r for r in kind.records_for(user).filter(pk__in=ids)}
        shown += [Evidence(link, kind, records[link.record_id]) for link in kind_links if link.record_id in records]
    return sorted(shown, key=lambda e: e.link.linked_at, reverse=True)


def find_record(user: Any, key: str, record_id: str) -> Any:
    """The record to link, if it exists and `user` may see it (nobody links what they cannot see)."""
    kind = kind_of(key)
    return kind.records_for(user).filter(pk=record_id).first()
