"""The library's engine: one embedded tantivy index of paragraphs, for ranked search and for finding reuse.

Nothing here knows Django, so the benchmark drives the same code at a million paragraphs. The database is the
record; the index is derived from it (`coalition.library.indexing` keeps the two consistent) and can always be
rebuilt.

Each paragraph is one index document with
- `text`, stemmed English for ranked (BM25) search, stored for highlighting and alignment;
- `sh`, its word 3-grams ("shingles"), used to find candidate sources of a reused passage: the rarer a shared
  shingle, the more it counts, so formulaic openings ("recalling its resolution") weigh little;
- filter fields: forum, year, kind, signers, and `access` (see `AccessFilter`).

Reuse is then decided by aligning the candidate's words with the target's (`align`, `classify`).
"""

from __future__ import annotations

import difflib
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import tantivy

SHINGLE = 3
WORD_RE = re.compile(r"\w+(?:['’\-/.]\w+)*")
SENTENCE_END_RE = re.compile(r"(?<=[.!?;])\s+(?=[\"“(\[A-Z0-9])")
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 32
MIN_REUSE_WORDS = 12  # shorter passages are too common to mean anything
CANDIDATES = 8
MAX_SENTENCE_PAIRS = 400  # reordering is looked for between paragraphs of up to about 20 sentences each
COMMON_WORDS_FROM = 10_000  # paragraphs in the library before very common words are left out of a search
STEMMER = (  # the "en_stem" analyzer of the `text` field, to look up a query word's terms
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(40))
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.stemmer("english"))
    .build()
)

# French queries lose their function words ("d'", "l'", "et", "de", "la", "les", …: tantivy's French stop words) as
# very common words are lost in a large library: alone they match every French paragraph and mark every "d'". Only
# a query that reads as French loses them, so "UN" (French "un") stays a word in English.
FRENCH_CONTENT_WORDS = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.stopword("french"))
    .build()
)
FRENCH_CUES = frozenset({"et", "de", "des", "du", "la", "le", "les", "au", "aux", "une"})
FRENCH_ELISION_RE = re.compile(r"(?:[cdjlmnst]|qu)['’]\w")


def reads_as_french(found: Iterable[str]) -> bool:
    """Whether these words (as `words` gives them) read as French: a French function word or elision among them."""
    return any(w in FRENCH_CUES or FRENCH_ELISION_RE.match(w) for w in found)


class QueryError(ValueError):
    """A search the engine cannot run; the message says why, in words a user can act on."""


# --- Words and shingles -----------------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """The comparable words of a text: case-folded, punctuation dropped."""
    return [w.casefold() for w in WORD_RE.findall(text)]


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where each of `words(text)` sits in `text` (for showing aligned differences on the original)."""
    return [m.span() for m in WORD_RE.finditer(text)]


def _char_ranges(text: str, byte_ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`byte_ranges` of `text` as character ranges. tantivy reports highlights as offsets into the UTF-8 bytes;
    Python slices by character, so in a paragraph with any non-ASCII letter, quote or dash the raw offsets would
    mark the wrong characters."""
    if text.isascii():
        return byte_ranges
    encoded = text.encode()
    chars: dict[int, int] = {}
    at_byte = at_char = 0
    for offset in sorted({offset for pair in byte_ranges for offset in pair}):
        boundary = min(offset, len(encoded))
        while 0 < boundary < len(encoded) and encoded[boundary] & 0xC0 == 0x80:
            boundary -= 1  # inside a character (tantivy never says so): from the character's start
        at_char += len(encoded[at_byte:boundary].decode())
        at_byte = boundary
        chars[offset] = at_char
    return [(chars[start], chars[end]) for start, end in byte_ranges]


def shingles(tokens: Sequence[str], k: int = SHINGLE) -> list[str]:
    if len(tokens) < k:
        return ["_".join(tokens)] if tokens else []
    return ["_".join(tokens[i : i + k]) for i in range(len(tokens) - k + 1)]


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END_RE.split(text.strip()) if s.strip()]


# --- The index --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexedParagraph:
    pid: int
    sid: int
    text: str
    access: str  # a classification, or "source" when only the source's own visibility can decide
    forum: str = ""
    year: int = 0
    kind: str = ""
    signers: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccessFilter:
    """What a reader may find: paragraphs indexed under one of `levels`, and those of `sources` (the restricted,
    embargoed and draft sources the policy lets this reader see). The caller builds it from the access policy and
    still checks every hit against the policy: the index only keeps the top ten from filling with hidden rows."""

    levels: frozenset[str]
    sources: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Filters:
    forum: str = ""
    year_from: int | None = None
    year_to: int | None = None
    kind: str = ""
    signed_by: str = ""


@dataclass
class Hit:
    pid: int
    score: float
    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)  # character ranges of `text`


@dataclass
class SearchPage:
    total: int
    hits: list[Hit]
    took_ms: float
    all_words: bool = True  # False: too few paragraphs hold every word, so these hold some of them


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("pid", stored=True, indexed=True, fast=True)
    sb.add_unsigned_field("sid", indexed=True, fast=True)
    sb.add_text_field("text", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("sh", tokenizer_name="ws", index_option="freq")
    sb.add_text_field("access", tokenizer_name="raw")
    sb.add_text_field("forum", tokenizer_name="raw")
    sb.add_text_field("kind", tokenizer_name="raw")
    sb.add_text_field("signers", tokenizer_name="raw")
    sb.add_integer_field("year", indexed=True, fast=True)
    return sb.build()


SCHEMA = _schema()


class Engine:
    """One index, in a folder (shared by the web and worker processes) or in memory (tests, benchmarks).

    Writers are short-lived: each change takes tantivy's writer lock, commits and lets go, so a rebuild command and
    the task worker take turns. Readers reload on every commit."""

    def __init__(self, path: str | Path | None = None, *, heap_size: int = 64_000_000, threads: int = 1) -> None:
        self.path = Path(path) if path else None
        if self.path is not None:
            self.path.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(SCHEMA, path=str(self.path), reuse=True)
        else:
            self.index = tantivy.Index(SCHEMA)
        self.index.register_tokenizer("ws", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
        self.heap_size = heap_size
        self.threads = threads
        self._lock = threading.Lock()

    # -- Writing --

    def _writer(self) -> tantivy.IndexWriter:
        for attempt in range(50):
            try:
                return self.index.writer(self.heap_size, self.threads)
            except ValueError as error:  # another process holds the writer lock
                if "lock" not in str(error).lower() or attempt == 49:
                    raise
                time.sleep(0.1)
        raise AssertionError("unreachable")

    @staticmethod
    def document(p: IndexedParagraph) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_unsigned("pid", p.pid)
        doc.add_unsigned("sid", p.sid)
        doc.add_text("text", p.text)
        doc.add_text("sh", " ".join(shingles(words(p.text))))
        doc.add_text("access", p.access)
        doc.add_text("forum", p.forum)
        doc.add_text("kind", p.kind)
        for signer in p.signers:
            doc.add_text("signers", signer)
        doc.add_integer("year", p.year)
        return doc

    def replace_sources(self, sids: Iterable[int], paragraphs: Iterable[IndexedParagraph]) -> None:
        """Replace everything indexed for `sids` with `paragraphs`, in one commit (readers see all or nothing)."""
        with self._lock:
            writer = self._writer()
            try:
                for sid in sids:
                    # by query: deleting by a bare term misreads an unsigned value and removes nothing
                    writer.delete_documents_by_query(tantivy.Query.term_query(SCHEMA, "sid", sid))
                for p in paragraphs:
                    writer.add_document(self.document(p))
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
        self.index.reload()

    def rebuild(self, paragraphs: Iterable[IndexedParagraph]) -> int:
        count = 0
        with self._lock:
            writer = self._writer()
            try:
                writer.delete_all_documents()
                for p in paragraphs:
                    writer.add_document(self.document(p))
                    count += 1
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
        self.index.reload()
        return count

    def clear(self) -> None:
        self.rebuild(())

    # -- Reading --

    def searcher(self) -> tantivy.Searcher:
        return self.index.searcher()

    @property
    def size(self) -> int:
        return self.searcher().num_docs

    def count_sources(self, sids: Sequence[int]) -> int:
        """How many paragraphs the index holds for these sources."""
        query = tantivy.Query.term_set_query(SCHEMA, "sid", list(sids))
        return getattr(self.searcher().search(query, limit=1, count=True), "count", 0) or 0

    def indexed_pids(self) -> set[int]:
        searcher = self.searcher()
        found = searcher.search(tantivy.Query.all_query(), limit=max(searcher.num_docs, 1), count=False)
        addresses = [address for _score, address in found.hits]
        return {int(pid) for pid in searcher.fast_field_values("pid", addresses) if pid is not None}

    def search(
        self,
        query: str,
        *,
        access: AccessFilter,
        filters: Filters = Filters(),
        limit: int = 10,
        offset: int = 0,
        highlight: bool = True,
    ) -> SearchPage:
        started = time.perf_counter()
        searcher = self.searcher()
        clauses = self._filter_clauses(access, filters, searcher)
        # Every word first; when fewer paragraphs than a page hold them all, those come first, then the paragraphs
        # holding some of the words, by rank. A conjunction is also the cheap query at a million paragraphs.
        text_query = self.parse(query, searcher=searcher, every_word=True)
        found = searcher.search(self._within(text_query, clauses), limit=offset + limit, count=True)
        total = getattr(found, "count", 0) or 0  # set when counting; tantivy's type stubs omit it
        addresses = [address for _score, address in found.hits]
        scores = [score for score, _address in found.hits]
        all_words = total >= limit
        if all_words:
            addresses, scores = addresses[offset:], scores[offset:]
        else:
            first = {(a.segment_ord, a.doc) for a in addresses}
            text_query = self.parse(query, searcher=searcher, every_word=False)
            some = searcher.search(self._within(text_query, clauses), limit=offset + limit + len(first), count=True)
            total = getattr(some, "count", 0) or 0
            rest = [(score, a) for score, a in some.hits if (a.segment_ord, a.doc) not in first]
            addresses = (addresses + [a for _score, a in rest])[offset : offset + limit]
            scores = (scores + [score for score, _a in rest])[offset : offset + limit]
        hits = []
        generator = None
        if highlight and addresses:
            generator = tantivy.SnippetGenerator.create(searcher, text_query, SCHEMA, "text")
            generator.set_max_num_chars(1_000_000)
        for score, address in zip(scores, addresses, strict=True):
            doc = searcher.doc(address)
            text = doc.get_first("text") or ""
            hit = Hit(pid=int(doc.get_first("pid") or 0), score=float(score), text=text)
            if generator is not None:
                snippet = generator.snippet_from_doc(doc)
                base = snippet.fragment_range().start
                hit.highlights = _char_ranges(text, [(base + r.start, base + r.end) for r in snippet.highlighted()])
            hits.append(hit)
        took_ms = (time.perf_counter() - started) * 1000
        return SearchPage(total=total, hits=hits, took_ms=took_ms, all_words=all_words)

    def within_reach(self, query: tantivy.Query, access: AccessFilter, searcher: tantivy.Searcher) -> tantivy.Query:
        """`query` narrowed to the paragraphs `access` lets a reader find."""
        return self._within(query, self._filter_clauses(access, Filters(), searcher))

    @staticmethod
    def _within(query: tantivy.Query, clauses: list[tuple[tantivy.Occur, tantivy.Query]]) -> tantivy.Query:
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, query), *clauses]) if clauses else query

    def parse(self, query: str, *, searcher: tantivy.Searcher | None = None, every_word: bool = False) -> tantivy.Query:
        """The user's words as a tantivy query: any of the words may match, ranked by BM25 (so the paragraphs with
        most of the words, and the rarest, come first); a quoted run of words must occur as that phrase.

        No search-engine syntax passes through: only words and quoted phrases of words are kept, each handed to the
        parser inside quotes, so `AND`, `field:`, `*`, brackets, apostrophes and stray quotes are never operators.

        In a large library (with `searcher`), a loose word found in more than a third of all paragraphs ("the",
        "of", "nations") is left out when other words remain: it adds almost nothing to the ranking (BM25 weighs it
        near zero) but would make every search walk most of the index. A French query's function words ("de",
        "l'") are left out the same way, in a library of any size. Inside a quoted phrase every word counts."""
        if len(query) > MAX_QUERY_CHARS:
            raise QueryError(f"The search is {len(query):,} characters long; keep it under {MAX_QUERY_CHARS}.")
        phrases: list[str] = []
        loose: list[str] = []
        count = 0
        for index, chunk in enumerate(query.split('"')):
            found = words(chunk)
            count += len(found)
            if index % 2 == 1 and len(found) > 1:  # inside a pair of quotes: an exact phrase
                phrases.append('"' + " ".join(found) + '"')
            else:
                loose.extend(found)
        if not phrases and not loose:
            raise QueryError("The search has no words to look for: type one or more words.")
        if count > MAX_QUERY_WORDS:
            raise QueryError(f"The search has {count} words; use at most {MAX_QUERY_WORDS}.")
        if reads_as_french(loose):
            content = [token for w in loose for token in FRENCH_CONTENT_WORDS.analyze(w)]
            if content or phrases:
                loose = content
        if searcher is not None and searcher.num_docs >= COMMON_WORDS_FROM:
            ceiling = searcher.num_docs // 3
            telling = [w for w in loose if not all(searcher.doc_freq("text", t) > ceiling for t in STEMMER.analyze(w))]
            if telling or phrases:
                loose = telling
        parts = phrases + [f'"{word}"' for word in dict.fromkeys(loose)]
        try:
            return self.index.parse_query(" ".join(parts), ["text"], conjunction_by_default=every_word)
        except ValueError as error:  # cannot happen with quoted words only, but never a 500
            raise QueryError("The search could not be read; use plain words and quoted phrases.") from error

    def _filter_clauses(
        self, access: AccessFilter, filters: Filters, searcher: tantivy.Searcher
    ) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        must, must_not = tantivy.Occur.Must, tantivy.Occur.MustNot
        if not access.levels and not access.sources:
            return [(must, tantivy.Query.empty_query())]
        # Written as what the reader may NOT see: the levels in the index outside `access.levels` (a handful of
        # values, most paragraphs public), except the reader's own sources. Excluding a small set costs far less
        # than requiring membership of a set that holds nearly every paragraph — the same rows either way, since
        # every paragraph is indexed with exactly one access value.
        hidden = sorted(term for term, _count in searcher.terms_with_prefix("access", "") if term not in access.levels)
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if hidden:
            unseen = tantivy.Query.term_set_query(SCHEMA, "access", hidden)
            if access.sources:
                allowed = tantivy.Query.term_set_query(SCHEMA, "sid", sorted(access.sources))
                unseen = tantivy.Query.boolean_query([(must, unseen), (must_not, allowed)])
            clauses.append((must_not, unseen))
        if filters.forum:
            clauses.append((must, tantivy.Query.term_query(SCHEMA, "forum", filters.forum)))
        if filters.kind:
            clauses.append((must, tantivy.Query.term_query(SCHEMA, "kind", filters.kind)))
        if filters.signed_by:
            clauses.append((must, tantivy.Query.term_query(SCHEMA, "signers", filters.signed_by)))
        if filters.year_from is not None or filters.year_to is not None:
            clauses.append(
                (
                    must,
                    tantivy.Query.range_query(
                        SCHEMA, "year", tantivy.FieldType.Integer, filters.year_from, filters.year_to
                    ),
                )
            )
        return clauses

    # -- Reuse --

    def formulaic_threshold(self, searcher: tantivy.Searcher) -> int:
        """A shingle found in more paragraphs than this is formulaic ("of the united", "recalling its resolution"):
        it neither finds candidates nor counts as evidence of reuse."""
        return max(20, searcher.num_docs // 500)

    def candidates(
        self,
        text: str,
        *,
        access: AccessFilter | None = None,
        exclude_sids: Iterable[int] = (),
        limit: int = CANDIDATES,
        searcher: tantivy.Searcher | None = None,
    ) -> list[tuple[int, str, frozenset[str]]]:
        """The library paragraphs sharing the most (and rarest) shingles with `text`: (pid, text, formulaic
        shingles of `text`)."""
        searcher = searcher or self.searcher()
        tokens = words(text)
        ceiling = self.formulaic_threshold(searcher)
        distinct = set(shingles(tokens))
        formulaic = frozenset(s for s in distinct if searcher.doc_freq("sh", s) > ceiling)
        terms = sorted(distinct - formulaic)
        if not terms:
            return []
        should = [(tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, "sh", s)) for s in terms]
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = [(tantivy.Occur.Must, tantivy.Query.boolean_query(should))]
        if access is not None:
            clauses += self._filter_clauses(access, Filters(), searcher)
        for sid in exclude_sids:
            clauses.append((tantivy.Occur.MustNot, tantivy.Query.term_query(SCHEMA, "sid", sid)))
        found = searcher.search(tantivy.Query.boolean_query(clauses), limit=limit, count=False)
        result = []
        for _score, address in found.hits:
            doc = searcher.doc(address)
            result.append((int(doc.get_first("pid") or 0), doc.get_first("text") or "", formulaic))
        return result

    def find_reuse(
        self,
        text: str,
        *,
        access: AccessFilter | None = None,
        exclude_sids: Iterable[int] = (),
        limit: int = CANDIDATES,
        searcher: tantivy.Searcher | None = None,
        min_words: int = MIN_REUSE_WORDS,
    ) -> list[Reuse]:
        """Library paragraphs that `text` reuses, best first."""
        if len(words(text)) < min_words:
            return []
        found = []
        for pid, source, formulaic in self.candidates(
            text, access=access, exclude_sids=exclude_sids, limit=limit, searcher=searcher
        ):
            verdict = classify(source, text, formulaic=formulaic, min_words=min_words)
            if verdict is not None:
                found.append(Reuse(pid=pid, source_text=source, kind=verdict.kind, similarity=verdict.similarity))
        return sorted(found, key=lambda r: r.similarity, reverse=True)


# --- Deciding and showing reuse ---------------------------------------------------------------------------------

VERBATIM = "verbatim"
EDITED = "edited"
RESTRUCTURED = "restructured"
REORDERED = "reordered"


@dataclass(frozen=True)
class Verdict:
    kind: str
    similarity: float


@dataclass(frozen=True)
class Reuse:
    pid: int
    source_text: str
    kind: str
    similarity: float


def _matcher(a: Sequence[str], b: Sequence[str]) -> difflib.SequenceMatcher[str]:
    return difflib.SequenceMatcher(None, a, b, autojunk=False)


def classify(
    source: str, target: str, *, formulaic: frozenset[str] = frozenset(), min_words: int = MIN_REUSE_WORDS
) -> Verdict | None:
    """Whether `target` reuses `source`, and how:

    - verbatim: the same words in the same order (case, spacing and punctuation aside); a paragraph that holds the
      whole of the other plus a clause of its own is not verbatim, since its comparison shows the insertion;
    - edited: in the same order with a few words changed (similarity ≥ 0.8, no gap longer than four words);
    - reordered: the same sentences (each ≥ 0.8 alike) in another order;
    - restructured: in the same order with clauses inserted or removed (≥ 75 % of the shorter text kept).

    Shared words that only come from formulaic shingles do not count: at least three distinctive shingles must be
    shared, so two resolutions that merely both "recall" something are not reuse of each other."""
    s, t = words(source), words(target)
    shorter = min(len(s), len(t))
    if shorter < min_words:
        return None
    distinctive = (set(shingles(s)) & set(shingles(t))) - formulaic
    if len(distinctive) < 3:
        return None
    # Every kind below needs at least two thirds of the shorter text's words in the other (reordered is the
    # loosest: each sentence ≥ 0.8 alike means ≥ 2/3 of its words matched). Counting shared words is cheap; aligning
    # is not, and most candidates fail here.
    if sum((Counter(s) & Counter(t)).values()) * 3 < shorter * 2:
        return None
    if s == t:
        return Verdict(VERBATIM, 1.0)
    matcher = _matcher(s, t)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    matched = sum(b.size for b in blocks)
    ratio = 2 * matched / (len(s) + len(t))
    largest_gap = _largest_gap(matcher)
    if ratio >= 0.8 and largest_gap <= 4:
        return Verdict(EDITED, round(ratio, 3))
    reordered = _reordered(source, target)
    if reordered is not None:
        return Verdict(REORDERED, round(reordered, 3))
    coverage = matched / shorter
    if coverage >= 0.75 and matched >= min_words:
        return Verdict(RESTRUCTURED, round(coverage, 3))
    return None


def _largest_gap(matcher: difflib.SequenceMatcher[str]) -> int:
    gap = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            gap = max(gap, i2 - i1, j2 - j1)
    return gap


def _reordered(source: str, target: str) -> float | None:
    """The mean likeness of sentences matched out of order, if every sentence of the shorter text has its match."""
    a, b = [words(x) for x in sentences(source)], [words(x) for x in sentences(target)]
    a, b = [x for x in a if x], [x for x in b if x]
    if len(a) < 2 or len(b) < 2 or len(a) * len(b) > MAX_SENTENCE_PAIRS:
        return None  # one sentence is no order; a paragraph of dozens of sentences would cost too much to pair
    swap = len(a) > len(b)
    if swap:
        a, b = b, a
    placed: list[int] = []
    scores = []
    for sentence in a:
        best, where = 0.0, -1
        for j, other in enumerate(b):
            if j in placed:
                continue
            score = _matcher(sentence, other).ratio()
            if score > best:
                best, where = score, j
        if best < 0.8:
            return None
        placed.append(where)
        scores.append(best)
    if placed == sorted(placed):
        return None  # in order: not a reordering
    return sum(scores) / len(scores)


@dataclass(frozen=True)
class Segment:
    """A run of the alignment: `equal`, `replace`, `delete` (only in the source) or `insert` (only in the target),
    with the original wording on each side."""

    op: str
    source: str
    target: str


def align(source: str, target: str) -> list[Segment]:
    """Word-by-word alignment of two texts on their original wording, for showing what changed."""
    s_spans, t_spans = word_spans(source), word_spans(target)
    s_words, t_words = words(source), words(target)
    segments = []
    for tag, i1, i2, j1, j2 in _matcher(s_words, t_words).get_opcodes():
        segments.append(Segment(tag, _slice(source, s_spans, i1, i2), _slice(target, t_spans, j1, j2)))
    return segments


def _slice(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    if start >= end:
        return ""
    # From the first word through to just before the next word, so punctuation and spaces travel with their words.
    stop = spans[end][0] if end < len(spans) else len(text)
    begin = spans[start][0] if start > 0 else 0
    return text[begin:stop]
