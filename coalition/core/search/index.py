"""The search index kept in step with the records: signals on every save and delete of a kind's model and of the
relations its text follows, a rebuild (`manage.py search_index --rebuild`) and a drift check for the scheduler
(`check_drift`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_delete

from coalition.core.models import SearchEntry
from coalition.core.search.query import normalise
from coalition.core.search.registry import Kind, on_register, registered

BATCH = 500


def texts_of(kind: Kind, ids: Iterable[int]) -> dict[int, str]:
    """The text of each existing record among `ids`: its fields in order, then the kind's extra texts."""
    ids = list(ids)
    parts: dict[int, list[str]] = defaultdict(list)
    rows = kind.model._default_manager.filter(pk__in=ids)
    for pk in rows.values_list("pk", flat=True):
        parts[pk]
    for name in kind.fields:
        for pk, value in rows.values_list("pk", name).order_by("pk"):
            if value not in (None, "") and str(value) not in parts[pk]:
                parts[pk].append(str(value))
    if kind.texts:
        for pk, extra in kind.texts([pk for pk in parts]).items():
            if pk in parts:
                parts[pk] += [text for text in extra if text]
    return {pk: "\n".join(values) for pk, values in parts.items()}


def index_records(kind: Kind, ids: Iterable[int]) -> None:
    """Make the index hold what the records `ids` of `kind` say now (removing those that are gone)."""
    ids = set(ids)
    if not ids:
        return
    texts = texts_of(kind, ids)
    with transaction.atomic():
        SearchEntry.objects.filter(kind=kind.key, object_id__in=ids - set(texts)).delete()
        existing = {e.object_id: e for e in SearchEntry.objects.filter(kind=kind.key, object_id__in=set(texts))}
        new = []
        for pk, text in texts.items():
            words = normalise(text)
            entry = existing.get(pk)
            if entry is None:
                new.append(SearchEntry(kind=kind.key, object_id=pk, text=text, words=words))
            elif entry.text != text or entry.words != words:
                SearchEntry.objects.filter(pk=entry.pk).update(text=text, words=words)
        SearchEntry.objects.bulk_create(new)


def refresh(model: type[Model], pks: Iterable[int]) -> None:
    """Bring the index in step after rows of `model` were written without signals (`bulk_create`, `update()`): the
    kinds of that model, and those whose text follows it."""
    pks = [pk for pk in pks if pk is not None]
    if not pks:
        return
    for kind in registered().values():
        if kind.model is model:
            index_records(kind, pks)
        for related, path in _paths(kind):
            if related is model:
                affected = kind.model._default_manager.filter(**{f"{path}__in": pks}).values_list("pk", flat=True)
                index_records(kind, list(affected))


def rebuild(keys: Iterable[str] | None = None) -> dict[str, int]:
    """Index every record of the kinds (all by default) afresh; the number indexed per kind."""
    counts = {}
    for key, kind in registered().items():
        if keys is not None and key not in keys:
            continue
        with transaction.atomic():
            SearchEntry.objects.filter(kind=key).delete()
            ids = list(kind.model._default_manager.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), BATCH):
                texts = texts_of(kind, ids[start : start + BATCH])
                SearchEntry.objects.bulk_create(
                    SearchEntry(kind=key, object_id=pk, text=text, words=normalise(text)) for pk, text in texts.items()
                )
        counts[key] = len(ids)
    return counts


@dataclass
class Drift:
    kind: str
    missing: list[int] = field(default_factory=list)  # records the index lacks
    stale: list[int] = field(default_factory=list)  # records whose indexed text is not what they say now
    orphaned: list[int] = field(default_factory=list)  # entries for records that are gone

    @property
    def count(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.orphaned)


def check_drift(*, repair: bool = True) -> list[Drift]:
    """Compare the index with the records, kind by kind; with `repair`, bring the drifted entries in step. The
    scheduler calls this (a save made by `bulk_create` or `update()` sends no signal)."""
    found = []
    for key, kind in registered().items():
        drift = Drift(key)
        stored = dict(SearchEntry.objects.filter(kind=key).values_list("object_id", "text"))
        ids = list(kind.model._default_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            for pk, text in texts_of(kind, ids[start : start + BATCH]).items():
                if pk not in stored:
                    drift.missing.append(pk)
                elif stored[pk] != text:
                    drift.stale.append(pk)
        drift.orphaned = sorted(set(stored) - set(ids))
        if repair and drift.count:
            index_records(kind, [*drift.missing, *drift.stale, *drift.orphaned])
        found.append(drift)
    return found


# --- Signals --------------------------------------------------------------------------------------------------


def _paths(kind: Kind) -> list[tuple[type[Model], str]]:
    """(related model, path from the kind's model) for each relation its text follows."""
    found: dict[tuple[type[Model], str], None] = {}
    for lookup in (*kind.fields, *kind.follows):
        model: Any = kind.model
        steps = lookup.split("__")
        for depth, step in enumerate(steps):
            relation = model._meta.get_field(step)  # FieldDoesNotExist for a misspelt path
            if not relation.is_relation:
                break
            model = relation.related_model
            found[(model, "__".join(steps[: depth + 1]))] = None
    return list(found)


def _connect(kind: Kind) -> None:
    uid = f"search:{kind.key}"

    def saved(sender: Any, instance: Any, raw: bool = False, **_: Any) -> None:
        if not raw:
            index_records(kind, [instance.pk])

    def deleted(sender: Any, instance: Any, **_: Any) -> None:
        index_records(kind, [instance.pk])

    post_save.connect(saved, sender=kind.model, weak=False, dispatch_uid=uid)
    post_delete.connect(deleted, sender=kind.model, weak=False, dispatch_uid=uid)
    for model, path in _paths(kind):
        _connect_related(kind, model, path)


def _connect_related(kind: Kind, model: type[Model], path: str) -> None:
    uid = f"search:{kind.key}:{path}"
    pending = f"_search_pending_{kind.key}_{path}"

    def affected(instance: Any) -> list[int]:
        return list(kind.model._default_manager.filter(**{path: instance.pk}).values_list("pk", flat=True))

    def saved(sender: Any, instance: Any, raw: bool = False, **_: Any) -> None:
        if not raw:
            index_records(kind, affected(instance))

    def deleting(sender: Any, instance: Any, **_: Any) -> None:
        setattr(instance, pending, affected(instance))

    def deleted(sender: Any, instance: Any, **_: Any) -> None:
        index_records(kind, getattr(instance, pending, []))

    post_save.connect(saved, sender=model, weak=False, dispatch_uid=uid)
    pre_delete.connect(deleting, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=uid)


on_register(_connect)
