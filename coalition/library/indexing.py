"""Keeping the search index consistent with the database.

The database is the record. Every change to a source is indexed by the process that made it, right after its
transaction commits (the index never shows a paragraph that was rolled back, and a text is found by its words when
its import returns); only when the index cannot be written there does `index_sources` go to the task worker, ahead
of everything queued. `manage.py library_index --rebuild` recreates the index from the rows, and `--check` reports
any drift. A search re-checks every hit against the access policy, so an index that lags
behind a change of classification hides too much for a moment, never too little.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TASK_MAX_PRIORITY

from coalition.core import policy
from coalition.core.policy import Classification
from coalition.library.engine import AccessFilter, Engine, IndexedParagraph
from coalition.library.models import Paragraph, Source
from coalition.library.visibility import visible_sources

logger = logging.getLogger(__name__)

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()

SOURCE_DECIDES = "source"  # the access term of paragraphs whose source alone can say who reads them


def engine() -> Engine:
    """The process's engine for the configured index folder ("" keeps the index in memory: tests)."""
    path = settings.LIBRARY_INDEX_DIR
    with _engines_lock:
        if path not in _engines:
            _engines[path] = Engine(path or None)
        return _engines[path]


def reset_engine() -> None:
    """Forget the engines (tests start each with an empty in-memory index)."""
    with _engines_lock:
        _engines.clear()


def access_term(source: Source) -> str:
    """Statements (their drafts and embargoes), restricted texts and texts not yet released are found only by
    readers the policy names source by source; every other text by the classification's readers."""
    if source.statement_id or source.classification == Classification.RESTRICTED:
        return SOURCE_DECIDES
    if source.released_at is None or source.released_at > timezone.now():
        return SOURCE_DECIDES
    return str(source.classification)


def access_filter(user: Any, sources: QuerySet[Source] | None = None) -> AccessFilter:
    """What `user` may find in the index; `sources`: `visible_sources(user)`, when the caller has it already."""
    actor = policy.actor_for(user)
    levels = frozenset(actor.readable_classifications()) - {Classification.RESTRICTED}
    by_source = (visible_sources(user) if sources is None else sources).filter(
        Q(statement__isnull=False)
        | Q(classification=Classification.RESTRICTED)
        | Q(released_at__isnull=True)
        | Q(released_at__gt=timezone.now())
    )
    return AccessFilter(levels=levels, sources=frozenset(by_source.values_list("pk", flat=True)))


def _indexed(sources: Iterable[Source]) -> Iterator[IndexedParagraph]:
    for source in sources:
        signers = tuple(str(pk) for pk in source.endorsed_by.values_list("pk", flat=True))
        term = access_term(source)
        for p in source.paragraphs.all():
            yield IndexedParagraph(
                pid=p.pk,
                sid=source.pk,
                text=p.text,
                access=term,
                forum=source.forum,
                year=source.year or 0,
                kind=source.kind,
                signers=signers,
            )


def reindex(source_ids: Iterable[int]) -> None:
    """Bring the index in line with the rows of these sources (deleted sources leave the index)."""
    ids = sorted(set(source_ids))
    sources = Source.objects.filter(pk__in=ids).prefetch_related("paragraphs")
    engine().replace_sources(ids, _indexed(sources))


def rebuild() -> int:
    sources = Source.objects.order_by("pk").prefetch_related("paragraphs").iterator(chunk_size=200)
    return engine().rebuild(_indexed(sources))


def drift() -> tuple[set[int], set[int]]:
    """(paragraphs missing from the index, index entries with no paragraph any more)."""
    in_db = set(Paragraph.objects.values_list("pk", flat=True))
    in_index = engine().indexed_pids()
    return in_db - in_index, in_index - in_db


@task()
def index_sources(source_ids: list[int]) -> None:
    reindex(source_ids)


def unindexed(source_ids: Iterable[int]) -> int:
    """How many paragraphs of these sources the index does not hold yet."""
    ids = sorted(set(source_ids))
    return Paragraph.objects.filter(source__in=ids).count() - engine().count_sources(ids) if ids else 0


def schedule(source_ids: Iterable[int]) -> None:
    """Index these sources here once the current transaction has committed, and leave their embeddings to the task
    worker. Indexing was a task too, and on the worker's one first-in-first-out queue a text waited behind every
    earlier text's embeddings (an import of 477 speeches went unfound for minutes); one source's paragraphs take
    milliseconds to index, its embeddings a second or more."""
    # semantic loads NumPy: imported on the first change, so a command that only starts Django (`demo_totp` prints
    # a code while a sign-in form waits) does not pay for it (issue 17, item 5).
    from coalition.library import semantic

    ids = sorted(set(source_ids))
    if ids:
        transaction.on_commit(lambda: index_now(ids))
        semantic.schedule_embeddings(ids)


def index_now(source_ids: list[int]) -> None:
    """Index these sources in this process; if the index cannot be written here (another process held its lock too
    long, the folder is not writable), the task worker indexes them before anything else it has queued. Nothing is
    raised: the rows are committed, and the index is derived from them."""
    try:
        reindex(source_ids)
    except Exception:
        logger.exception("The library index could not take sources %s here; the task worker will", source_ids)
        first = index_sources
        if first.get_backend().supports_priority:
            first = first.using(priority=TASK_MAX_PRIORITY)
        first.enqueue(source_ids)
