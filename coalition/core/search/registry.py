"""The kinds of record the platform's search offers, registered by their apps (core names none of them).

    from coalition.core import search

    search.register(search.Kind(
        key="response.situation",            # stored in the index; never rename
        label=_("Situations"),               # the group's heading
        model=Situation,
        fields=("title", "summary", "country__name"),   # the text searched; a path may cross relations
        readable=queries.situations,         # the SAME access-filtered query as the kind's list page
        url=lambda s: reverse("response:situation", args=[s.pk]),
    ))

A result is shown only if `readable(user)` keeps it: the engine proposes, the policy decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class Kind:
    key: str
    label: Any  # str or lazy str
    model: type[Model]
    fields: tuple[str, ...]
    readable: Callable[[Any], QuerySet[Any]]
    url: Callable[[Any], str]
    title: Callable[[Any], str] = str
    # Text beyond plain fields (a document's current version): {pk: [texts]} for the given pks.
    texts: Callable[[Iterable[int]], dict[int, list[str]]] | None = None
    # Relations (paths from `model`) whose saves change that text; those in `fields` are followed already.
    follows: tuple[str, ...] = ()
    related: tuple[str, ...] = ()  # select_related for title and url
    order: tuple[str, ...] = ("-pk",)  # the order of a group's results


_KINDS: dict[str, Kind] = {}
_listeners: list[Callable[[Kind], None]] = []


def register(kind: Kind) -> None:
    if kind.key in _KINDS:
        raise ValueError(f"Search kind {kind.key!r} is already registered")
    _KINDS[kind.key] = kind
    for listener in _listeners:
        listener(kind)


def registered() -> dict[str, Kind]:
    return dict(_KINDS)


def on_register(listener: Callable[[Kind], None]) -> None:
    _listeners.append(listener)
