"""Reading the library: search, lineage and the drafting assistant. Every paragraph shown passes the access policy
(`visibility.visible_paragraphs`), whatever the index returned."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from coalition.core.errors import InvalidInput
from coalition.library import extract, indexing, semantic, spelling, visibility
from coalition.library.engine import Filters, QueryError, Segment, align, words
from coalition.library.models import Paragraph, ReuseRecord, Source

PER_PAGE = 10
SEMANTIC_EXTRA = 3  # passages found by meaning alone that page one may add to the word matches
MAX_PAGE = 1000  # deeper pages would make the index collect offset + limit hits for nothing a reader needs


@dataclass
class Result:
    paragraph: Paragraph
    score: float
    parts: list[tuple[str, bool]]  # the text in runs, True where a searched word matched

    @property
    def source(self) -> Source:
        return self.paragraph.source


@dataclass
class Results:
    query: str
    total: int
    results: list[Result]
    page: int
    took_ms: float
    semantic: bool = False
    all_words: bool = True
    suggestion: str = ""  # the query with its misspelt words corrected from the library's own words, or ""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


def marked(text: str, ranges: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    parts: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted(ranges):
        if start < at:
            continue
        if start > at:
            parts.append((text[at:start], False))
        parts.append((text[start:end], True))
        at = end
    if at < len(text):
        parts.append((text[at:], False))
    return parts


def _with_source(qs: Any) -> Any:
    return qs.select_related("source", "source__author_country").prefetch_related("source__endorsed_by")


def search(
    user: Any, query: str, filters: Filters | None = None, page: int = 1, sources: QuerySet[Source] | None = None
) -> Results:
    """Ranked paragraphs for `query`, with their provenance; raises InvalidInput (field "q") for a query the
    engine cannot run. `sources`: `visible_sources(user)`, when the caller has it already."""
    page = min(max(1, page), MAX_PAGE)
    filters = filters or Filters()
    access = indexing.access_filter(user, sources)
    try:
        found = indexing.engine().search(
            query,
            access=access,
            filters=filters,
            limit=PER_PAGE,
            offset=(page - 1) * PER_PAGE,
        )
    except QueryError as error:
        raise InvalidInput(str(error), field="q") from None
    ranked = [(hit.pid, hit.score, hit.highlights, hit.text) for hit in found.hits]
    semantic_used = False
    if page == 1 and semantic.enabled():
        fused = semantic.fuse(user, query, filters, ranked)
        if fused is not None:
            # The word matches stay (page 2 goes on from them), in fused order, with at most a few passages that
            # are close in meaning only.
            lexical = {pid for pid, *_rest in ranked}
            extra = [item for item in fused if item[0] not in lexical][:SEMANTIC_EXTRA]
            keep = lexical | {item[0] for item in extra}
            ranked, semantic_used = [item for item in fused if item[0] in keep], bool(extra)
    rows = _with_source(visibility.visible_paragraphs(user)).in_bulk([pid for pid, *_rest in ranked])
    results = [
        Result(paragraph=rows[pid], score=score, parts=marked(rows[pid].text, highlights))
        for pid, score, highlights, _text in ranked
        if pid in rows
    ]
    suggestion = ""
    if not found.all_words:  # ten paragraphs or more holding every word: none of them is misspelt
        suggestion = spelling.suggest(indexing.engine(), query, access=access, readable=lambda p: _readable(user, p))
    return Results(query, found.total, results, page, found.took_ms, semantic_used, found.all_words, suggestion)


def _readable(user: Any, pids: list[int]) -> set[int]:
    return set(visibility.visible_paragraphs(user).filter(pk__in=pids).values_list("pk", flat=True))


# --- Lineage ----------------------------------------------------------------------------------------------------


@dataclass
class Occurrence:
    paragraph: Paragraph
    kind: str  # "identical", or a ReuseRecord.Kind
    similarity: float
    relation: str  # "earlier", "later", "same day", "same year", "undated" or "this"
    segments: list[Segment] = field(default_factory=list)

    @property
    def source(self) -> Source:
        return self.paragraph.source


def _relation(mine: Source, other: Source) -> str:
    if not mine.year or not other.year:
        return "undated"
    if mine.date is None or other.date is None:  # only the year is known on one side
        return "earlier" if other.year < mine.year else "later" if other.year > mine.year else "same year"
    if other.date < mine.date:
        return "earlier"
    if other.date > mine.date:
        return "later"
    return "same day"


def lineage(user: Any, paragraph: Paragraph) -> list[Occurrence]:
    """The paragraph's earlier and later occurrences across the library, oldest first, the paragraph itself
    included in its place."""
    visible = _with_source(visibility.visible_paragraphs(user))
    found: dict[int, tuple[str, float]] = {}
    for other in visible.filter(words_hash=paragraph.words_hash).exclude(pk=paragraph.pk).values_list("pk", flat=True):
        found[other] = ("identical", 1.0)
    for reuse in indexing.engine().find_reuse(paragraph.text, access=indexing.access_filter(user), limit=25):
        if reuse.pid != paragraph.pk and reuse.pid not in found:
            found[reuse.pid] = (reuse.kind, reuse.similarity)
    records = ReuseRecord.objects.filter(Q(origin=paragraph) | Q(target=paragraph))
    for record in records:
        other = record.target_id if record.origin_id == paragraph.pk else record.origin_id
        found.setdefault(other, (record.kind, record.similarity))
    rows = visible.in_bulk(list(found))
    occurrences = [
        Occurrence(
            paragraph=row,
            kind=found[pk][0],
            similarity=found[pk][1],
            relation=_relation(paragraph.source, row.source),
            segments=[] if found[pk][0] == "identical" else align(row.text, paragraph.text),
        )
        for pk, row in rows.items()
    ]
    occurrences.append(Occurrence(paragraph, "this", 1.0, "this"))
    return sorted(occurrences, key=lambda o: (o.source.when, o.source.imported_at))


# --- Drafting assistant -----------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    number: str
    text: str
    status: str  # "agreed" (reuses agreed language), "close" (near some), "new"
    match: Paragraph | None = None
    kind: str = ""
    similarity: float = 0.0
    segments: list[Segment] = field(default_factory=list)
    others: int = 0  # further matches beyond the closest


CLOSE_ENOUGH = 0.35


def assist(user: Any, text: str) -> list[Suggestion]:
    """For each paragraph of a draft, the closest agreed language the user may read, with provenance, or "new".
    Nothing of the draft is stored."""
    if len(text) > settings.LIBRARY_MAX_ASSIST_CHARS:
        raise InvalidInput(
            f"The draft is {len(text):,} characters long; check up to {settings.LIBRARY_MAX_ASSIST_CHARS:,} at once.",
            field="text",
        )
    segments = extract.segment(text)
    if not segments:
        raise InvalidInput("The draft is empty: paste or upload the text to check.", field="text")
    if len(segments) > settings.LIBRARY_MAX_ASSIST_PARAGRAPHS:
        raise InvalidInput(
            f"The draft has {len(segments)} paragraphs; check up to {settings.LIBRARY_MAX_ASSIST_PARAGRAPHS} at once.",
            field="text",
        )
    limit = settings.LIBRARY_MAX_PARAGRAPH_CHARS
    for position, segment in enumerate(segments, start=1):
        if len(segment.text) > limit:
            raise InvalidInput(
                f"Paragraph {position} is {len(segment.text):,} characters long; check paragraphs of up to {limit:,}.",
                field="text",
            )
    engine = indexing.engine()
    access = indexing.access_filter(user)
    searcher = engine.searcher()
    visible = _with_source(visibility.visible_paragraphs(user))
    # Two passes, one query each: the reuse found for every paragraph, then the closest candidates of those with none.
    found = [engine.find_reuse(s.text, access=access, searcher=searcher, min_words=8) for s in segments]
    rows = visible.in_bulk({r.pid for reuses in found for r in reuses})
    pending = {
        i: engine.candidates(segment.text, access=access, limit=3, searcher=searcher)
        for i, (segment, reuses) in enumerate(zip(segments, found, strict=True))
        if not any(r.pid in rows for r in reuses)
    }
    close = visible.in_bulk({pid for candidates in pending.values() for pid, _t, _f in candidates})
    suggestions = []
    for i, (segment, reuses) in enumerate(zip(segments, found, strict=True)):
        suggestion = Suggestion(number=segment.number, text=segment.text, status="new")
        shown = [r for r in reuses if r.pid in rows]
        if shown:
            best = shown[0]
            suggestion.status, suggestion.match = "agreed", rows[best.pid]
            suggestion.kind, suggestion.similarity = best.kind, best.similarity
            suggestion.others = len(shown) - 1
        else:
            mine = words(segment.text)
            scored = [
                (difflib.SequenceMatcher(None, words(close[pid].text), mine, autojunk=False).ratio(), pid)
                for pid, _t, _f in pending[i]
                if pid in close
            ]
            if scored:
                score, pid = max(scored)
                if score >= CLOSE_ENOUGH:
                    suggestion.status, suggestion.match, suggestion.similarity = "close", close[pid], round(score, 3)
        if suggestion.match is not None:
            suggestion.segments = align(suggestion.match.text, segment.text)
        suggestions.append(suggestion)
    return suggestions
