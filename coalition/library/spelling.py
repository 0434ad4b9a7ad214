"""Did you mean …? A correction for the words of a search that no paragraph the reader may find holds, taken from
the index's own vocabulary. No dictionary, no model, no network: the index finds the terms within two edits of the
misspelt word's stem, or of its beginning (tantivy's Levenshtein automaton on the stemmed terms), a few paragraphs
holding them give the words as written, and the closest of those wins, then the one most paragraphs hold.

Only what the reader may find is vocabulary: the terms are looked up within their access filter, and the paragraphs
that lend a word pass the policy (`readable`), so a suggestion never spells out a word of a text hidden from them.
A query that reads as French is corrected from French paragraphs where they have a close word, and its function
words ("d'", "de", "la") are never "corrected", as the search leaves them out (`engine.FRENCH_CONTENT_WORDS`).

Nothing here knows Django.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import tantivy

from coalition.library.engine import (
    FRENCH_CONTENT_WORDS,
    FRENCH_CUES,
    SCHEMA,
    STEMMER,
    AccessFilter,
    Engine,
    reads_as_french,
    words,
)

TOKEN_RE = re.compile(r"\w+")  # as the index splits words: "d'expresion" is "d" and "expresion"
MIN_LETTERS = 3  # shorter words are too often right to second-guess
SAMPLE = 32  # paragraphs read per misspelt word for the spellings they hold
PREFIX_FROM = 7  # from this length, a word's beginning is also looked up, as the beginning of a term

Readable = Callable[[list[int]], set[int]]  # the paragraph ids, of those given, that the reader may see


def suggest(engine: Engine, query: str, *, access: AccessFilter, readable: Readable | None = None) -> str:
    """`query` with each word that no reachable paragraph holds replaced by the closest word that some do, keeping
    the rest of the query as typed; "" when every word is found or nothing close is."""
    searcher = engine.searcher()
    french = reads_as_french(words(query))
    corrected = query
    for match in reversed(list(TOKEN_RE.finditer(query))):  # from the end, so earlier spans stay where they are
        typed = match.group()
        if not _checked(typed, french=french) or _found(engine, searcher, typed.lower(), access):
            continue
        better = _closest(engine, searcher, typed.lower(), access, readable, french=french)
        if better:
            corrected = corrected[: match.start()] + _cased_as(typed, better) + corrected[match.end() :]
    return corrected if corrected != query else ""


def _checked(typed: str, *, french: bool) -> bool:
    """Whether `typed` is a word to check: letters only (no number or code), long enough, and not a French function
    word in a French query."""
    if not typed.isalpha() or len(typed) < MIN_LETTERS:
        return False
    return not french or bool(FRENCH_CONTENT_WORDS.analyze(typed))


def _stems(word: str) -> list[str]:
    return STEMMER.analyze(word)


def _count(engine: Engine, searcher: tantivy.Searcher, query: tantivy.Query, access: AccessFilter) -> int:
    found = searcher.search(engine.within_reach(query, access, searcher), limit=1, count=True)
    return getattr(found, "count", 0) or 0


def _found(engine: Engine, searcher: tantivy.Searcher, word: str, access: AccessFilter) -> bool:
    """Whether a paragraph the reader may find holds `word` (as the search stems it)."""
    for stem in _stems(word):
        if searcher.doc_freq("text", stem) and _count(engine, searcher, _term(stem), access):
            return True
    return False


def _term(stem: str) -> tantivy.Query:
    return tantivy.Query.term_query(SCHEMA, "text", stem)


def _closest(
    engine: Engine,
    searcher: tantivy.Searcher,
    word: str,
    access: AccessFilter,
    readable: Readable | None,
    *,
    french: bool,
) -> str:
    stems = _stems(word)
    if not stems:
        return ""
    allowed = 1 if len(word) < 5 else 2
    for edits in range(1, allowed + 1):
        near = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, _near(term, edits, prefix=prefix)) for term, prefix in _forms(word, stems[0])]
        )
        if french:  # paragraphs in French first: the sample is the top of a ranking with French function words in it
            cues = tantivy.Query.term_set_query(SCHEMA, "text", sorted({t for w in FRENCH_CUES for t in _stems(w)}))
            near = tantivy.Query.boolean_query([(tantivy.Occur.Must, near), (tantivy.Occur.Should, cues)])
        hits = searcher.search(engine.within_reach(near, access, searcher), limit=SAMPLE, count=False).hits
        docs = [searcher.doc(address) for _score, address in hits]
        texts = {int(doc.get_first("pid") or 0): doc.get_first("text") or "" for doc in docs}
        if readable is not None:
            allowed_pids = readable(list(texts))
            texts = {pid: text for pid, text in texts.items() if pid in allowed_pids}
        best = _best(engine, searcher, word, texts.values(), access, edits=edits, french=french)
        if best:
            return best
    return ""


def _forms(word: str, stem: str) -> list[tuple[str, bool]]:
    """What the index's terms are compared with: the stem of the misspelt word, and the word's beginning as the
    beginning of a term. A misspelling can keep the stemmer from cutting the ending ("encryptoin" stays whole, far
    from "encrypt"), but the beginning still finds the term."""
    forms = [(stem, False)]
    if len(word) >= PREFIX_FROM:
        forms.append((word[: max(PREFIX_FROM - 1, len(word) - 3)], True))
    return forms


def _near(term: str, edits: int, *, prefix: bool) -> tantivy.Query:
    return tantivy.Query.fuzzy_term_query(
        SCHEMA, "text", term, distance=edits, transposition_cost_one=True, prefix=prefix
    )


def _best(
    engine: Engine,
    searcher: tantivy.Searcher,
    word: str,
    texts: Iterable[str],
    access: AccessFilter,
    *,
    edits: int,
    french: bool,
) -> str:
    """Of the words in `texts` within `edits` of `word`: those in a paragraph of the query's language first, then the
    closest, then the one most reachable paragraphs hold."""
    candidates: dict[str, bool] = {}  # word → seen in a paragraph of the query's language
    for text in texts:
        same_language = not french or reads_as_french(words(text))
        for written in TOKEN_RE.findall(text):
            candidate = written.lower()
            if candidate != word and candidate.isalpha() and abs(len(candidate) - len(word)) <= edits:
                candidates[candidate] = candidates.get(candidate, False) or same_language
    scored = []
    for candidate, same_language in candidates.items():
        distance = edit_distance(word, candidate, limit=edits)
        if distance <= edits:
            reach = sum(_count(engine, searcher, _term(stem), access) for stem in _stems(candidate))
            scored.append((not same_language, distance, -reach, candidate))
    return min(scored)[3] if scored else ""


def edit_distance(a: str, b: str, *, limit: int | None = None) -> int:
    """Levenshtein distance with a swap of two neighbouring letters counted as one edit (optimal string alignment),
    as the index's fuzzy terms count it. With `limit`, any distance beyond it is reported as `limit + 1` as soon as
    it is certain (most words of a paragraph are far from the misspelt one)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if limit is not None and min(current) > limit:
            return limit + 1  # a row's least cost never falls in the rows below it
        previous2, previous = previous, current
    return previous[-1]


def _cased_as(typed: str, word: str) -> str:
    """`word` in the case the user typed: "Freedon" → "Freedom", "UNESKO" → "UNESCO"."""
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[0].isupper():
        return word[0].upper() + word[1:]
    return word
