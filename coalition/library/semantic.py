"""The optional semantic leg of library search: paragraphs found by meaning, fused with the ranked (BM25) results.

Each paragraph gets a sentence embedding (`embedding.py`, the packaged all-MiniLM-L6-v2 model) once, after its
source is saved (`schedule_embeddings`), or in bulk with `manage.py library_embed`. A search embeds the query,
compares it with every stored vector in one matrix product and keeps the closest paragraphs that the reader may see
and that pass the search's filters; Reciprocal Rank Fusion then merges them with the ranked results. So "web
censorship by governments" finds a paragraph on "States blocking access to online content" that shares none of its
words. Every semantic hit passes `visible_paragraphs(user)`: the vectors carry no access rights of their own.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django_tasks import task

from coalition.library import embedding
from coalition.library.engine import Filters
from coalition.library.models import Paragraph, ParagraphEmbedding
from coalition.library.visibility import visible_paragraphs

SEMANTIC_HITS = 20  # how many of the closest paragraphs enter the fusion
MIN_COSINE = 0.35  # below this a paragraph is not about the query (a nonsense query finds nothing by meaning)
RRF_K = 60  # Reciprocal Rank Fusion's constant (Cormack et al. 2009): each list adds 1 / (RRF_K + rank)
EMBED_CHUNK = 256  # paragraphs read, embedded and written at a time
VISIBILITY_CHUNK = 500  # candidates checked against the access policy per query
QUERY_VECTORS = 256  # query texts whose vectors a process keeps (384 float32 each: 1.5 KB)

Ranked = tuple[int, float, list[tuple[int, int]], str]  # (paragraph id, score, highlighted ranges, text)


def enabled() -> bool:
    return bool(settings.LIBRARY_SEMANTIC) and embedding.available()


# --- Computing the embeddings -----------------------------------------------------------------------------------


def _to_bytes(vector: npt.NDArray[np.float32]) -> bytes:
    return vector.astype("<f2").tobytes()


def embed_paragraphs(paragraph_ids: Iterable[int], *, batch_size: int = 32) -> int:
    """Compute the embeddings these paragraphs lack (or have from another model); returns how many were written.
    Paragraphs deleted meanwhile are skipped."""
    ids = sorted(set(paragraph_ids))
    written = 0
    for start in range(0, len(ids), EMBED_CHUNK):
        rows = list(
            Paragraph.objects.filter(pk__in=ids[start : start + EMBED_CHUNK])
            .exclude(embedding__model=embedding.MODEL_NAME)
            .values_list("pk", "text")
        )
        if not rows:
            continue
        vectors = embedding.embed([text for _pk, text in rows], batch_size=batch_size)
        written += _store({pk: vector for (pk, _text), vector in zip(rows, vectors, strict=True)})
    return written


def _store(vectors: dict[int, npt.NDArray[np.float32]]) -> int:
    for _attempt in range(2):
        try:
            with transaction.atomic():
                ParagraphEmbedding.objects.bulk_create(
                    [
                        ParagraphEmbedding(paragraph_id=pk, vector=_to_bytes(v), model=embedding.MODEL_NAME)
                        for pk, v in vectors.items()
                    ],
                    update_conflicts=True,
                    unique_fields=["paragraph"],
                    update_fields=["vector", "model"],
                )
            return len(vectors)
        except IntegrityError:  # a source was re-imported while we embedded: keep the paragraphs still there
            still_there = set(Paragraph.objects.filter(pk__in=list(vectors)).values_list("pk", flat=True))
            vectors = {pk: v for pk, v in vectors.items() if pk in still_there}
    return 0


def missing() -> QuerySet[Paragraph]:
    """The paragraphs without an embedding from the current model."""
    return Paragraph.objects.exclude(embedding__model=embedding.MODEL_NAME)


@task()
def embed_sources(source_ids: list[int]) -> None:
    embed_paragraphs(Paragraph.objects.filter(source_id__in=source_ids).values_list("pk", flat=True))


def schedule_embeddings(source_ids: Iterable[int]) -> None:
    """Embed these sources' new paragraphs once the current transaction has committed (a no-op when the semantic
    leg is off). Replaced paragraphs lose their embeddings with their rows."""
    ids = sorted(set(source_ids))
    if ids and enabled():
        transaction.on_commit(lambda: embed_sources.enqueue(ids))


# --- Searching by meaning ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Matrix:
    key: tuple[int, int, int]  # (rows, largest id, sum of ids): changes whenever rows are added or deleted
    ids: npt.NDArray[np.int64]
    vectors: npt.NDArray[np.float32]  # (rows, 384), unit rows


_matrix: _Matrix | None = None
_matrix_lock = threading.Lock()


def reset() -> None:
    """Forget the in-memory matrix and query vectors (tests: rolled-back rows can come back under the same ids)."""
    global _matrix
    with _matrix_lock:
        _matrix = None
    query_vector.cache_clear()


def _stored() -> QuerySet[ParagraphEmbedding]:
    return ParagraphEmbedding.objects.filter(model=embedding.MODEL_NAME)


def matrix() -> _Matrix:
    """Every stored vector, kept in memory by the process (1.5 KB a paragraph) and reread when the table changes."""
    global _matrix
    stats = _stored().aggregate(rows=Count("pk"), top=Max("pk"), total=Sum("pk"))
    key = (stats["rows"] or 0, stats["top"] or 0, stats["total"] or 0)
    with _matrix_lock:
        if _matrix is None or _matrix.key != key:
            ids: list[int] = []
            chunks: list[bytes] = []
            for pk, vector in _stored().order_by("pk").values_list("pk", "vector").iterator(chunk_size=2000):
                ids.append(pk)
                chunks.append(bytes(vector))
            flat = np.frombuffer(b"".join(chunks), dtype="<f2").astype(np.float32)
            _matrix = _Matrix(
                key=key,
                ids=np.array(ids, dtype=np.int64),
                vectors=flat.reshape(len(ids), embedding.DIMENSIONS),
            )
        return _matrix


def _filtered(paragraphs: QuerySet[Paragraph], filters: Filters) -> QuerySet[Paragraph]:
    """The search's filters, as the engine applies them (an undated source counts as year 0)."""
    if filters.forum:
        paragraphs = paragraphs.filter(source__forum=filters.forum)
    if filters.kind:
        paragraphs = paragraphs.filter(source__kind=filters.kind)
    if filters.signed_by:
        if not filters.signed_by.isdigit():
            return paragraphs.none()
        paragraphs = paragraphs.filter(source__endorsed_by__pk=int(filters.signed_by))
    if filters.year_from is not None or filters.year_to is not None:
        dated = Q(source__date__isnull=False)
        if filters.year_from is not None:
            dated &= Q(source__date__year__gte=filters.year_from)
        if filters.year_to is not None:
            dated &= Q(source__date__year__lte=filters.year_to)
        year_zero_in = (filters.year_from or 0) <= 0 <= (0 if filters.year_to is None else filters.year_to)
        paragraphs = paragraphs.filter(dated | Q(source__date__isnull=True) if year_zero_in else dated)
    return paragraphs


def closest(user: Any, query: str, filters: Filters, limit: int = SEMANTIC_HITS) -> list[tuple[int, str]]:
    """The paragraphs `user` may read that pass `filters` and are closest in meaning to `query`, closest first:
    (paragraph id, text). Only those with a cosine similarity of at least MIN_COSINE."""
    return _closest(matrix(), user, query, filters, limit)


@functools.lru_cache(maxsize=QUERY_VECTORS)
def query_vector(query: str) -> npt.NDArray[np.float32]:
    """The query's unit vector, kept by the process for the QUERY_VECTORS latest distinct texts (a query is embedded
    once, not on every page of results or every reader): read-only, so no caller can change the cached copy. The
    model is fixed for the life of the process, so an entry never goes stale."""
    vector = embedding.embed([query])[0].copy()
    vector.setflags(write=False)
    return vector


def _closest(stored: _Matrix, user: Any, query: str, filters: Filters, limit: int) -> list[tuple[int, str]]:
    if not len(stored.ids):
        return []
    scores = stored.vectors @ query_vector(query)
    above = np.flatnonzero(scores >= MIN_COSINE)
    candidates = above[np.argsort(-scores[above], kind="stable")]
    visible = _filtered(visible_paragraphs(user), filters)
    found: list[tuple[int, str]] = []
    # Check the candidates against the policy closest first, a chunk at a time, until enough are readable.
    for start in range(0, len(candidates), VISIBILITY_CHUNK):
        chunk = [int(pid) for pid in stored.ids[candidates[start : start + VISIBILITY_CHUNK]]]
        texts = dict(visible.filter(pk__in=chunk).values_list("pk", "text"))
        found += [(pid, texts[pid]) for pid in chunk if pid in texts]
        if len(found) >= limit:
            break
    return found[:limit]


def reciprocal_rank_fusion(*rankings: Sequence[int], k: int = RRF_K) -> list[tuple[int, float]]:
    """Merge rankings of ids: each id scores Σ 1 / (k + rank) over the rankings it is in (rank 1 first). Highest
    first; ties keep the order in which the ids were first met."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking, start=1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def fuse(user: Any, query: str, filters: Filters, ranked: list[Any]) -> list[Any] | None:
    """The ranked results (`(pid, score, highlights, text)`, best first) merged with the semantic hits by
    Reciprocal Rank Fusion, in the same shape: a paragraph found only by meaning has no highlights. The score is the
    fusion's. None when no paragraph has an embedding yet (the caller keeps the ranked results as they are)."""
    stored = matrix()
    if not len(stored.ids):
        return None
    semantic = _closest(stored, user, query, filters, SEMANTIC_HITS)
    lexical: dict[int, Ranked] = {item[0]: item for item in ranked}
    texts = dict(semantic)
    fused: list[Any] = []
    for pid, score in reciprocal_rank_fusion([item[0] for item in ranked], [pid for pid, _text in semantic]):
        if pid in lexical:
            fused.append((pid, score, lexical[pid][2], lexical[pid][3]))
        else:
            fused.append((pid, score, [], texts[pid]))
    return fused
