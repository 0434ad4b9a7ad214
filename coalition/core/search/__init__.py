"""One search across the platform. Apps register the kinds of record they offer (`register(Kind(...))`, in their
AppConfig.ready()); `find` asks the engine the database has for candidate ids and keeps only those the kind's
`readable(user)` — the same query as the kind's list page — returns, so the policy decides what is found."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from coalition.core.models import SearchEntry
from coalition.core.search.engines import engine
from coalition.core.search.index import Drift, check_drift, index_records, rebuild, refresh
from coalition.core.search.query import MAX_CHARS, MAX_TERMS, Query, normalise, parse, words_of
from coalition.core.search.registry import Kind, register, registered

__all__ = [
    "MAX_CHARS",
    "MAX_TERMS",
    "Drift",
    "Group",
    "Hit",
    "Kind",
    "Query",
    "Results",
    "check_drift",
    "find",
    "index_records",
    "matching",
    "normalise",
    "parse",
    "rebuild",
    "refresh",
    "register",
    "registered",
    "words_of",
]

SNIPPET = 90  # characters either side of the first match


@dataclass(frozen=True)
class Hit:
    record: Any
    title: str
    url: str
    parts: list[tuple[str, bool]]  # the snippet, with the matched words marked


@dataclass(frozen=True)
class Group:
    kind: Kind
    count: int
    hits: list[Hit]

    @property
    def more(self) -> bool:
        return self.count > len(self.hits)


@dataclass(frozen=True)
class Results:
    query: Query
    groups: list[Group] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


def matching(user: Any, kind: Kind, query: Query) -> QuerySet[Any]:
    """The records of `kind` that `user` may read (its list page's query) and whose text matches `query`."""
    sql, params = engine().candidates(kind.key, query)
    # The SQL is the engine's constant text; the reader's words reach it only as bound parameters.
    return kind.readable(user).filter(pk__in=RawSQL(sql, params))  # noqa: S611


def find(user: Any, query: Query, *, kinds: list[str] | None = None, limit: int = 5, offset: int = 0) -> Results:
    """Each kind's matching records that `user` may read: the count, and `limit` of them from `offset` in the
    kind's order. One query finds which kinds hold a match at all; each of those costs one query for the readable
    matching ids (count and order) and one for the records shown."""
    if not query.terms:
        return Results(query)
    sql, params = engine().kinds(query)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        holding = {row[0] for row in cursor.fetchall()}
    pages = []
    for key, kind in registered().items():
        if key not in holding or (kinds is not None and key not in kinds):
            continue
        ids = list(matching(user, kind, query).order_by(*kind.order).values_list("pk", flat=True))
        if ids:
            shown = ids[offset : offset + limit]
            by_pk = kind.model._default_manager.select_related(*kind.related).in_bulk(shown)
            pages.append((kind, len(ids), [by_pk[pk] for pk in shown if pk in by_pk]))
    wanted = Q()
    for kind, _count, records in pages:
        wanted |= Q(kind=kind.key, object_id__in=[r.pk for r in records])
    entries = SearchEntry.objects.filter(wanted) if pages else SearchEntry.objects.none()
    texts = {(k, pk): text for k, pk, text in entries.values_list("kind", "object_id", "text")}
    groups = [
        Group(
            kind,
            count,
            [Hit(r, kind.title(r), kind.url(r), snippet(texts.get((kind.key, r.pk), ""), query)) for r in records],
        )
        for kind, count, records in pages
    ]
    return Results(query, groups)


def snippet(text: str, query: Query) -> list[tuple[str, bool]]:
    """A window of `text` around the first matched word, as (part, is_match) pairs."""
    pattern = re.compile(
        r"(?<![^\W_])(" + "|".join(re.escape(t) + (r"(?![^\W_])" if len(t) == 1 else "") for t in query.terms) + ")",
        re.IGNORECASE,
    )
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - SNIPPET)
    end = min(len(text), (first.end() if first else 0) + SNIPPET)
    window = " ".join(text[start:end].split())
    window = ("…" if start else "") + window + ("…" if end < len(text) else "")
    parts: list[tuple[str, bool]] = []
    at = 0
    for match in pattern.finditer(window):
        if match.start() > at:
            parts.append((window[at : match.start()], False))
        parts.append((match.group(0), True))
        at = match.end()
    if at < len(window):
        parts.append((window[at:], False))
    return parts
