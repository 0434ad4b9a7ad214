"""Overlap detection across donors' funding activities (issue 8).

Django-free, pure Python and NumPy, so the donors app, a task after an import and `bench/overlap.py` share it.

Two activities reported by different members *overlap* when they share a recipient country and a topic, their
periods overlap (a missing start or end is open-ended), and they share an implementer or have similar descriptions.
Each such pair becomes a `Candidate` carrying its reasons; each reason adds a weight a reader can check by hand:

| reason          | weight                                                                               |
|-----------------|--------------------------------------------------------------------------------------|
| `country_topic` | 0.2                                                                                  |
| `period`        | 0.1, plus 0.1 × the share of the shorter period covered (0.1 alone when a date is open) |
| `implementer`   | 0.3                                                                                  |
| `description`   | 0.5 × similarity, given from a similarity of `MIN_SIMILARITY` (0.4) upwards           |

The score is their sum, capped at 1. The weakest pair that meets the definition scores 0.2 + 0.1 + 0.2 (or the
implementer's 0.3), so `DEFAULT_THRESHOLD` (0.5) returns every overlapping pair; a higher threshold shows only the
stronger ones. `likely_duplicate` marks a probable double report: descriptions at least `DUPLICATE_SIMILARITY` (0.8)
alike, the same implementer (or one side naming none), and periods that overlap for at least half the shorter one.

Similarity of descriptions: each text becomes its set of consecutive word pairs ("internally displaced", "displaced
persons"), after case folding and accent stripping; a word pair counts for more the fewer records use it (inverse
document frequency over all the records given: TF-IDF), and the similarity is the cosine of the two weighted sets —
1 for the same words in the same order, about 0.5 when half the weight is shared. In the real IOM file, pairs from
0.4 up are the same project written twice ("Lao PDR Shelter Recovery 2018" and "Lao People's Democratic Republic
Flood Response": 0.45). Word pairs are hashed into 2**24 buckets (`FEATURE_BITS`), so no vocabulary of word pairs is
kept; two word pairs rarely share a bucket, and when they do, both just count as a little more common.

Method, so that no pair of records is looked at that could not qualify (no scan of the pairs of a country and topic):
1. Every record is put in one block per (recipient country, topic) it has.
2. Implementers: records are joined on (block, implementer key), by sorting; every such pair of two reporters is a
   candidate.
3. Descriptions, by *prefix filtering* (Bayardo et al., "Scaling up all pairs similarity search", 2007): word pairs
   are ranked from rarest to most common in `LEVELS` levels; a record's prefix is its rarer word pairs, up to the
   level from which the rest of its weight has a norm below MIN_SIMILARITY. Two records at least MIN_SIMILARITY alike
   must share a word pair in both prefixes, so records are joined on (block, prefix word pair) only: the common word
   pairs, which make most of the work of an inverted index, are never joined. The shared prefix weight plus a
   Cauchy–Schwarz bound on the rest drops most joined pairs before their similarity is computed. The one
   approximation: a word pair in the prefixes of more than `COMMON_PHRASE` records of one block (a template shared
   by hundreds of records) does not make candidates.
4. The pairs found are kept when their reporters differ and their periods overlap; their exact similarity is then
   computed and their reasons built, in plain Python for those few. Records are sorted by key first, so the same
   records give the same answer whatever their order.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

COUNTRY_TOPIC_WEIGHT = 0.2
PERIOD_WEIGHT = 0.2  # half for any overlap, the other half by the share of the shorter period covered
IMPLEMENTER_WEIGHT = 0.3
DESCRIPTION_WEIGHT = 0.5  # × similarity
MIN_SIMILARITY = 0.4
DUPLICATE_SIMILARITY = 0.8
DUPLICATE_PERIOD_SHARE = 0.5
DEFAULT_THRESHOLD = 0.5
COMMON_PHRASE = 500  # a word pair in more prefixes of one block than this does not make candidates there
FEATURE_BITS = 24  # word pairs are hashed into 2**24 buckets; two word pairs rarely share one
FEATURES = 1 << FEATURE_BITS
LEVELS = 64  # rarity levels for the prefixes
SHARED_PHRASES = 5  # word pairs quoted in a description reason
DAYS_PER_MONTH = 365.25 / 12

# Legal forms that say nothing about which organisation is meant ("Stichting" is kept: it is often the
# only difference between a Dutch foundation and another organisation of the same name).
_LEGAL_FORMS = frozenset(
    {"inc", "incorporated", "ltd", "limited", "llc", "llp", "plc", "gmbh", "ggmbh", "ev", "bv", "nv", "sa", "sarl"}
    | {"asbl", "vzw", "ag", "co", "corp", "corporation"}
)
# What real files put where an implementer should be named, and which names no organisation: two activities are
# never "the same implementer" because of these (issue 15, item 13). A reference or a name is a placeholder when it
# is one of `_PLACEHOLDERS`, or a number of fewer than `_MIN_NUMBER_DIGITS` digits (an IATI OrganisationType code
# such as "21"; a five-digit CRS channel code such as "41301" does name one organisation), or made only of
# `_CATEGORY_WORDS` ("Other national NGO", "Private Sector in Aid Recipient Country", "Various implementing
# partners"). A single word outside that list ("Government of Kenya", "National Democratic Institute") makes a name.
_PLACEHOLDERS = frozenset(
    {"n a", "na", "none", "null", "nil", "nan", "unknown", "tbd", "tbc", "to be determined", "to be confirmed"}
    | {"to be decided", "not applicable", "not available", "not known", "not specified", "not provided", "x", "xx"}
    | {"xxx", "see description", "teaching institutions research institutes or think tanks", "un agencies"}
)
_CATEGORY_WORDS = frozenset(
    {"other", "others", "various", "multiple", "several", "unknown", "unspecified", "undisclosed", "anonymous"}
    | {"confidential", "misc", "miscellaneous", "implementing", "partner", "partners", "and", "in", "of", "based"}
    | {"government", "governments", "governmental", "non", "nongovernmental", "local", "national", "international"}
    | {"regional", "public", "private", "sector", "sectors", "ngo", "ngos", "ingo", "ingos", "cso", "csos"}
    | {"civil", "society", "multilateral", "multilaterals", "bilateral", "foundation", "foundations", "partnership"}
    | {"partnerships", "ppp", "network", "networks", "academic", "training", "research", "country", "countries"}
    | {"provider", "aid", "recipient", "third", "donor", "donors", "developing", "delegated", "co", "operation"}
    | {"cooperation", "institution", "institutions", "organisation", "organisations", "organization"}
    | {"organizations", "agency", "agencies", "entity", "entities", "body", "bodies"}
)
_MIN_NUMBER_DIGITS = 5
_WORD = re.compile(r"[^\W_]+")
_ASCII_WORD = re.compile(r"[a-z0-9]+")  # the same words in a case-folded ASCII text, found faster
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_OPEN_START = -(10**9)
_OPEN_END = 10**9


@dataclass(frozen=True)
class Record:
    """One funding activity as the detector sees it."""

    key: int  # database pk
    reporter: str  # the reporting member: records of the same reporter are never compared
    countries: frozenset[str]  # ISO 3166-1 alpha-2 recipient countries
    topics: frozenset[str]  # policy topics the record's sectors and markers map to
    start: dt.date | None
    end: dt.date | None
    implementers: frozenset[str]  # keys from `implementer_key`
    text: str  # title and description


@dataclass(frozen=True)
class Reason:
    kind: str  # "country_topic" | "period" | "implementer" | "description"
    detail: dict[str, Any]  # JSON-serialisable
    weight: float  # its contribution to the score


@dataclass(frozen=True)
class Candidate:
    a: int  # the smaller key
    b: int  # the larger key
    score: float  # 0..1
    reasons: tuple[Reason, ...]
    likely_duplicate: bool  # near-identical text, same implementer, country, topic and period: a double report


def implementer_key(ref: str, name: str) -> str:
    """The key two mentions of one implementer share: its organisation ref without spaces, upper case
    ("xm-dac-41114 " → "XM-DAC-41114"); without a ref, its name in lower case without accents, punctuation, a
    leading "the" or trailing legal forms ("The Web Foundation, Inc." → "web foundation"). "" when both are empty
    or placeholders ("N/A", "21", "Other national NGO"; see `_PLACEHOLDERS`): a placeholder ref gives way to the
    name.

    A name and a ref of the same organisation give different keys: matching those needs the organisation registry.
    """
    if not _is_placeholder(ref):
        return "".join(ref.split()).upper()
    words = _words(name.replace(".", ""))
    while words and words[-1] in _LEGAL_FORMS:
        words.pop()
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    key = " ".join(words)
    return "" if _is_placeholder(key) else key


def find_overlaps(
    records: Iterable[Record], *, among: Collection[int] | None = None, threshold: float = DEFAULT_THRESHOLD
) -> list[Candidate]:
    """Every pair of records of different reporters that share a recipient country and a topic, whose periods
    overlap, and that share an implementer or have similar descriptions, scored at least `threshold`; best first.

    `among` limits the answer to pairs with at least one record in it (after an import: the new records against
    everything); the word weights still come from all the records given.
    """
    ordered = sorted(records, key=lambda record: record.key)
    keys = [record.key for record in ordered]
    if len(set(keys)) != len(keys):
        raise ValueError("record keys must be unique")
    count = len(ordered)
    if count < 2:
        return []
    chosen = set(among) if among is not None else None
    new = np.array([chosen is None or key in chosen for key in keys], dtype=bool)
    if not new.any():
        return []

    reporter_ids: dict[str, int] = {}
    reporters = np.array([reporter_ids.setdefault(record.reporter, len(reporter_ids)) for record in ordered])
    member_record, member_block = _blocks(ordered)
    text = _Texts([record.text for record in ordered])

    found = [
        _text_pairs(text, member_record, member_block, new, reporters),
        _implementer_pairs(ordered, member_record, member_block, new, reporters),
    ]
    codes = _distinct(np.concatenate(found))
    first, second = codes // count, codes % count
    starts = np.array([_ordinal(record.start, _OPEN_START) for record in ordered], dtype=np.int64)
    ends = np.array([_ordinal(record.end, _OPEN_END) for record in ordered], dtype=np.int64)
    overlapping = np.maximum(starts[first], starts[second]) <= np.minimum(ends[first], ends[second])
    first, second = first[overlapping], second[overlapping]
    similarities = text.similarities(first, second)

    candidates = []
    for one, other, similarity in zip(first.tolist(), second.tolist(), similarities.tolist(), strict=True):
        candidate = _candidate(ordered[one], ordered[other], similarity, text)
        if candidate is not None and candidate.score >= threshold:
            candidates.append(candidate)
    candidates.sort(key=lambda candidate: (-candidate.score, candidate.a, candidate.b))
    return candidates


# ---------------------------------------------------------------------------------------------------------------
# Text


def _is_placeholder(text: str) -> bool:
    """Whether an implementer's ref or name names no organisation (empty, "N/A", "21", "Other national NGO")."""
    words = _words(text)
    if not words:
        return True
    joined = "".join(words)
    if joined.isdigit() and (len(joined) < _MIN_NUMBER_DIGITS or not int(joined)):
        return True
    return " ".join(words) in _PLACEHOLDERS or all(word in _CATEGORY_WORDS for word in words)


def _words(text: str) -> list[str]:
    folded = text.casefold()
    if folded.isascii():
        return _ASCII_WORD.findall(folded)
    return _WORD.findall(_COMBINING.sub("", unicodedata.normalize("NFKD", folded)))


def _buckets(codes: np.ndarray) -> np.ndarray:
    """Fibonacci hashing of word-pair codes into FEATURES buckets."""
    return ((codes.astype(np.uint64) * _GOLDEN) >> np.uint64(64 - FEATURE_BITS)).astype(np.int64)


class _Texts:
    """Every record's word pairs as TF-IDF weights (unit length per record), entries stored record by record, and
    what the join needs to skip word pairs that cannot decide a similarity of MIN_SIMILARITY (see `_text_pairs`)."""

    def __init__(self, texts: Sequence[str]) -> None:
        vocabulary: defaultdict[str, int] = defaultdict()
        vocabulary.default_factory = vocabulary.__len__  # a new word gets the next number
        number = vocabulary.__getitem__
        tokens = array("q")
        lengths = array("q")
        for text in texts:
            words = _words(text)
            tokens.extend(map(number, words))
            lengths.append(len(words))
        vocabulary.default_factory = None
        self.vocabulary = vocabulary
        size = max(len(vocabulary), 1)
        count = len(texts)
        token = np.frombuffer(tokens, dtype=np.int64) if tokens else np.zeros(0, dtype=np.int64)
        length = np.frombuffer(lengths, dtype=np.int64) if lengths else np.zeros(0, dtype=np.int64)
        owner = np.repeat(np.arange(count), length)
        first = np.flatnonzero(owner[:-1] == owner[1:])  # where each word pair starts
        single = np.flatnonzero(length == 1)  # a one-word text is its word alone, coded after every pair
        last_words = token[np.cumsum(length)[single] - 1]
        codes = np.concatenate([token[first] * size + token[first + 1], size * size + last_words])
        keys = np.concatenate([owner[first], single]) * FEATURES
        del tokens, token, owner, first
        keys |= _buckets(codes)
        del codes
        self.size = size
        entry = _distinct(keys)  # each word pair once per record, sorted by record
        del keys
        self.record = entry >> FEATURE_BITS
        self.feature = entry & (FEATURES - 1)
        self.frequency = np.bincount(self.feature, minlength=FEATURES).astype(np.int32)
        frequency = self.frequency[self.feature]  # of each entry's word pair
        rarity = np.log((1 + count) / (1 + np.arange(count + 1))) + 1.0
        weight = rarity[frequency]
        norm = np.sqrt(np.bincount(self.record, weight * weight, minlength=count))
        self.weight = weight / np.where(norm > 0, norm, 1.0)[self.record]
        self.start = np.searchsorted(self.record, np.arange(count + 1))
        self._prefixes(count, frequency)

    def _prefixes(self, count: int, frequency: np.ndarray) -> None:
        """Rarity levels of about equally many entries (by how many records use their word pair, rarest first),
        each record's cut level and prefix (see step 3 of the module's description), and the weight² of each
        record's entries at and above each level (`above`), for the bound in `_text_pairs`."""
        entries_by_frequency = np.cumsum(np.bincount(frequency, minlength=count + 1))
        total = max(int(entries_by_frequency[-1]), 1)
        level_of = np.minimum((entries_by_frequency - 1) * LEVELS // total, LEVELS - 1)
        self.level = level_of[frequency]
        mass = np.bincount(self.record * LEVELS + self.level, self.weight**2, minlength=count * LEVELS)
        at_or_above = np.cumsum(mass.reshape(count, LEVELS)[:, ::-1], axis=1)[:, ::-1]
        above = np.concatenate([at_or_above, np.zeros((count, 1))], axis=1)  # weight² at and above each level
        self.above = above.astype(np.float32)
        self.cut = np.argmax(above < MIN_SIMILARITY**2, axis=1)
        self.prefix = (self.level < self.cut[self.record]) & (frequency > 1)

    def similarities(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """The cosine of each pair's weighted word pairs."""
        pairs = len(first)
        if pairs == 0:
            return np.zeros(0)
        index_first, pair_first = _segments(self.start[first], self.start[first + 1] - self.start[first])
        index_second, pair_second = _segments(self.start[second], self.start[second + 1] - self.start[second])
        entries = np.concatenate([index_first, index_second])
        pair = np.concatenate([pair_first, pair_second])
        key = pair * FEATURES + self.feature[entries]
        order = np.argsort(key)
        key, entries, pair = key[order], entries[order], pair[order]
        shared = np.flatnonzero(key[:-1] == key[1:])  # a record holds each word pair once: equal neighbours are shared
        product = self.weight[entries[shared]] * self.weight[entries[shared + 1]]
        return np.minimum(np.bincount(pair[shared], product, minlength=pairs), 1.0)

    def shared_phrases(self, one: str, other: str) -> list[str]:
        """The rarest word pairs two texts share, rarest first: what a reader should look at."""
        shared = _word_pairs(_words(one)) & _word_pairs(_words(other))
        rarest = sorted((int(self.frequency[self._bucket(pair)]), pair) for pair in shared)
        return [" ".join(pair) for _, pair in rarest[:SHARED_PHRASES]]

    def _bucket(self, pair: tuple[str, ...]) -> int:
        """`_buckets` for one word pair, in plain Python."""
        if len(pair) == 1:
            code = self.size * self.size + self.vocabulary[pair[0]]
        else:
            code = self.vocabulary[pair[0]] * self.size + self.vocabulary[pair[1]]
        return ((code * int(_GOLDEN)) & (2**64 - 1)) >> (64 - FEATURE_BITS)


def _word_pairs(words: list[str]) -> set[tuple[str, ...]]:
    if len(words) == 1:
        return {(words[0],)}
    return set(itertools.pairwise(words))


def _text_pairs(
    text: _Texts, member_record: np.ndarray, member_block: np.ndarray, new: np.ndarray, reporters: np.ndarray
) -> np.ndarray:
    """Codes (first × count + second) of the record pairs of a common block that may be MIN_SIMILARITY alike.

    Records are joined on the word pairs of their prefixes within each block, adding up the products of the
    shared weights (A). A pair can reach at most A plus the product of the norms of both records' entries at and
    above the lower of their two cuts (Cauchy–Schwarz on what the prefixes leave out); pairs whose bound stays below
    MIN_SIMILARITY are dropped without computing their similarity.
    """
    count = len(new)
    chosen = np.flatnonzero(text.prefix)
    record = text.record[chosen]
    entry, block = _expand(record, member_record, member_block, new)
    key = block * FEATURES + text.feature[chosen][entry]
    order, owner, left, right = _join(key, record[entry], new, reporters, longest=COMMON_PHRASE)
    if len(left) == 0:
        return np.zeros(0, dtype=np.int64)
    # A pair of records in two common blocks counts its shared words twice here: that only raises the bound.
    weight = text.weight[chosen][entry][order]
    product = weight[left] * weight[right]
    one, other = owner[left], owner[right]
    codes, shared = _sum_by_code(np.minimum(one, other) * count + np.maximum(one, other), product, count * count)
    one, other = codes // count, codes % count
    cut = np.minimum(text.cut[one], text.cut[other])
    bound = shared + np.sqrt(text.above[one, cut] * text.above[other, cut])
    return codes[bound >= MIN_SIMILARITY - 1e-4]  # the norms and sums are rounded a little


# ---------------------------------------------------------------------------------------------------------------
# Blocks and joins


def _blocks(ordered: Sequence[Record]) -> tuple[np.ndarray, np.ndarray]:
    """(record index, block) for every (country, topic) of every record, in record order."""
    block_ids: dict[tuple[str, str], int] = {}
    member_record = []
    member_block = []
    for index, record in enumerate(ordered):
        for country in sorted(record.countries):
            for topic in sorted(record.topics):
                member_record.append(index)
                member_block.append(block_ids.setdefault((country, topic), len(block_ids)))
    return np.array(member_record, dtype=np.int64), np.array(member_block, dtype=np.int64)


def _implementer_pairs(
    ordered: Sequence[Record],
    member_record: np.ndarray,
    member_block: np.ndarray,
    new: np.ndarray,
    reporters: np.ndarray,
) -> np.ndarray:
    """Codes (first × count + second) of the record pairs of a common block that share an implementer."""
    implementer_ids: dict[str, int] = {}
    record = []
    implementer = []
    for index, item in enumerate(ordered):
        for key in sorted(item.implementers):
            if key:
                record.append(index)
                implementer.append(implementer_ids.setdefault(key, len(implementer_ids)))
    if not record:
        return np.zeros(0, dtype=np.int64)
    records = np.array(record, dtype=np.int64)
    entry, block = _expand(records, member_record, member_block, new)
    key = block * len(implementer_ids) + np.array(implementer, dtype=np.int64)[entry]
    _, owner, left, right = _join(key, records[entry], new, reporters, longest=None)
    one, other = owner[left], owner[right]
    return np.minimum(one, other) * len(new) + np.maximum(one, other)


def _expand(
    record: np.ndarray, member_record: np.ndarray, member_block: np.ndarray, new: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each entry of `record` (sorted by record) once per block of its record — (entry index, block) — leaving out
    the blocks without a new record."""
    count = len(new)
    memberships = np.bincount(member_record, minlength=count)
    first_membership = np.cumsum(memberships) - memberships
    copy, entry = _segments(np.zeros(len(record), dtype=np.int64), memberships[record])
    block = member_block[first_membership[record[entry]] + copy]
    if not new.all():
        with_new = np.zeros(int(member_block.max(initial=-1)) + 1, dtype=bool)
        with_new[member_block[new[member_record]]] = True
        entry, block = entry[with_new[block]], block[with_new[block]]
    return entry, block


def _join(
    key: np.ndarray, owner: np.ndarray, new: np.ndarray, reporters: np.ndarray, *, longest: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Entries sorted by key — (order, owner in that order) — and the positions in that order (left, right) of every
    two entries with the same key whose owners have different reporters, one of them new."""
    order = np.argsort(key)
    owner = owner[order]
    ordered_key = key[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered_key[1:] != ordered_key[:-1]])) if len(key) else key
    lengths = np.diff(np.append(starts, len(key)))
    keep = lengths >= 2
    if longest is not None:
        keep &= lengths <= longest
    starts, lengths = starts[keep], lengths[keep]
    if not new.all():
        positions, run = _segments(starts, lengths)
        with_new = np.bincount(run, new[owner[positions]], minlength=len(starts)) > 0
        starts, lengths = starts[with_new], lengths[with_new]
    # Every position pairs with each later one of its run: first the next one, then the one after, and so on.
    position, _ = _segments(starts, lengths)
    remaining = np.repeat(starts + lengths, lengths) - position - 1
    reporter, fresh = reporters[owner], new[owner]
    lefts, rights = [], []
    distance = 1
    while len(position):
        alive = remaining >= distance
        position, remaining = position[alive], remaining[alive]
        keep_pair = reporter[position] != reporter[position + distance]
        if not new.all():
            keep_pair &= fresh[position] | fresh[position + distance]
        lefts.append(position[keep_pair])
        rights.append(position[keep_pair] + distance)
        distance += 1
    empty = np.zeros(0, dtype=np.int64)
    return order, owner, np.concatenate([empty, *lefts]), np.concatenate([empty, *rights])


def _sum_by_code(codes: np.ndarray, values: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct codes (0 ≤ code < limit) with the sum of their values (each in 0..1).

    Sorting is the cost here, so when the codes leave room each value rides in the low bits of its code, rounded
    down to 2**-bits (so a sum can fall short by the number of its values × 2**-bits), and one plain sort does it.
    """
    bits = min(52, 62 - int(limit).bit_length())  # 52: a double holds 2**52 - 1 exactly
    if bits >= 20:
        scale = (1 << bits) - 1
        packed = np.sort((codes << bits) | (np.minimum(values, 1.0) * scale).astype(np.int64))
        codes, values = packed >> bits, (packed & scale) / scale
    else:
        order = np.argsort(codes)
        codes, values = codes[order], values[order]
    starts = np.flatnonzero(np.concatenate([[True], codes[1:] != codes[:-1]]))
    return codes[starts], np.add.reduceat(values, starts)


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (NumPy's `unique` hashes large arrays, several times slower than sorting here)."""
    values = np.sort(values)
    return values[np.concatenate([[True], values[1:] != values[:-1]])] if len(values) else values


def _segments(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions start, start + 1, … of every segment laid end to end, and the segment each belongs to."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    segment = np.repeat(np.arange(len(lengths)), lengths)
    offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.asarray(starts, dtype=np.int64)[segment] + offsets, segment


# ---------------------------------------------------------------------------------------------------------------
# Reasons


def _ordinal(day: dt.date | None, open_value: int) -> int:
    return open_value if day is None else day.toordinal()


def _candidate(one: Record, other: Record, similarity: float, text: _Texts) -> Candidate | None:
    reasons = [
        Reason(
            kind="country_topic",
            detail={"countries": sorted(one.countries & other.countries), "topics": sorted(one.topics & other.topics)},
            weight=COUNTRY_TOPIC_WEIGHT,
        )
    ]
    period, share = _period(one, other)
    reasons.append(period)
    implementers = sorted((one.implementers & other.implementers) - {""})
    if implementers:
        reasons.append(Reason(kind="implementer", detail={"implementers": implementers}, weight=IMPLEMENTER_WEIGHT))
    similar = similarity >= MIN_SIMILARITY
    if similar:
        reasons.append(
            Reason(
                kind="description",
                detail={
                    "similarity": round(similarity, 3),
                    "shared_phrases": text.shared_phrases(one.text, other.text),
                },
                weight=round(DESCRIPTION_WEIGHT * similarity, 3),
            )
        )
    if not implementers and not similar:
        return None
    same_implementer = bool(implementers) or not (one.implementers - {""}) or not (other.implementers - {""})
    duplicate = (
        similarity >= DUPLICATE_SIMILARITY and same_implementer and (share is None or share >= DUPLICATE_PERIOD_SHARE)
    )
    score = min(1.0, round(sum(reason.weight for reason in reasons), 3))
    a, b = sorted((one.key, other.key))
    return Candidate(a=a, b=b, score=score, reasons=tuple(reasons), likely_duplicate=duplicate)


def _period(one: Record, other: Record) -> tuple[Reason, float | None]:
    """The common period and the share of the shorter period it covers (None when a date is open)."""
    starts = [day for day in (one.start, other.start) if day is not None]
    ends = [day for day in (one.end, other.end) if day is not None]
    start = max(starts) if starts else None
    end = min(ends) if ends else None
    share = None
    months = None
    if start is not None and end is not None:
        months = round(((end - start).days + 1) / DAYS_PER_MONTH)
    if None not in (one.start, one.end, other.start, other.end) and start is not None and end is not None:
        shorter = min(
            (one.end - one.start).days + 1,  # type: ignore[operator]
            (other.end - other.start).days + 1,  # type: ignore[operator]
        )
        share = min(1.0, ((end - start).days + 1) / max(shorter, 1))
    weight = PERIOD_WEIGHT / 2 + (PERIOD_WEIGHT / 2 * share if share is not None else 0.0)
    detail = {
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "months": months,
        "share_of_shorter": None if share is None else round(share, 3),
    }
    return Reason(kind="period", detail=detail, weight=round(weight, 3)), share
