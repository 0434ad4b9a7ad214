"""Benchmark of overlap detection across donors (issue 8): 100,000 synthetic activities derived from real IATI files.

The material is real: the 590 activities of the NL MFA and IOM files in `../shared/data/iati/real-activities/` (read
with `coalition.donors.iati.read`, never copied into the repository) give the sentences, titles, recipient countries,
DAC sectors, dates and organisation names. Every synthetic activity recombines them (seeded):
- **background**: the countries, sectors and dates of one real activity (dates shifted by up to ±3 years, lengths
  scaled 0.5–1.5×, 8 % without an end and 3 % without a start; a tenth get a second country), a title made of the
  halves of two real titles, a description of 2–5 sentences drawn from all real descriptions, every word of both
  substituted, dropped or swapped with its neighbour at a rate of 10 %; reported by one of the coalition's 40 members;
  implemented by a local organisation named from two real title words and the last word of a real organisation name
  ("Reintegration Caribbean Fund"), or, for 4 %, by one of the 115 organisations named in the files;
- topics from the DAC sectors (`TOPIC_OF_SECTOR`; sectors without a topic get one at random, and a quarter of the
  activities a second topic);
- **planted overlaps**, each a copy of a background activity reported by another member: *duplicate* (text with 3 %
  of its words edited, same implementer written differently, dates within a month), *same implementer* (a new text,
  the period shifted by up to half its length), *similar text* (the sentences reordered and 15 % of the words edited,
  another implementer), *rewritten* (similar text and the same implementer: an overlap, but no duplicate);
- **near misses**, which must not be returned: a duplicate re-reported by the *same member*, a *later phase* (same
  implementer, similar text, starting after the original ended), the same in *another country*, or with *another
  topic*.

Scoring. The planted pairs are the ground truth, and the background can also meet the definition by chance: two
activities implemented by the same real organisation in the same country and topic with overlapping periods are an
overlap a coordinator wants to see. Those pairs are found here by plain grouping (independently of the detector),
shown on their own line and counted as right in *precision by the definition*, the figure held to the target;
*strict precision* counts them as wrong and is reported beside it. Background pairs returned for a similar
description only are counted as wrong in both (with how many of them were built from two or more of the same real
sentences). The duplicate flag is scored against the planted duplicates.

Timing: one `find_overlaps` call over all the records (median of 3), and an incremental call (`among` = 1,000
records drawn at random, as after an import). The baseline is the same definition computed naively in plain Python
— every pair of records within each (country, topic) block, exact TF-IDF dictionaries of word pairs for the texts —
on 5,000 of the records (both sides of 625 planted pairs and random others), its time scaled to 100,000 by the
square of the size for the pairs and linearly for the vectors; both must return the same pairs on those records.

Run: .venv/bin/python bench/overlap.py                (--records N, --seed S, --sample N)
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import math
import random
import re
import resource
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coalition.demo.data import FOC_MEMBERS  # noqa: E402
from coalition.donors.ingest import iati  # noqa: E402
from coalition.donors.overlap import (  # noqa: E402
    MIN_SIMILARITY,
    Candidate,
    Record,
    find_overlaps,
    implementer_key,
)

REAL = iati.IATI_DATA / "real-activities"
SEED = 8
RECORDS = 100_000
SAMPLE = 5_000
INCREMENTAL = 1_000
TARGET_SCORE = 0.9
TARGET_SECONDS = 30.0
TOPICS = ("freedoms", "surveillance", "ai", "inclusion")
# DAC 5-digit purpose codes → topic, for this benchmark only (the app's taxonomy is edited by the Support Unit).
TOPIC_OF_SECTOR = {
    "15150": "freedoms",  # democratic participation and civil society
    "15151": "freedoms",  # elections
    "15153": "freedoms",  # media and free flow of information
    "15160": "freedoms",  # human rights
    "15130": "surveillance",  # legal and judicial development
    "15210": "surveillance",  # security system management and reform
    "15240": "surveillance",  # reintegration and small arms control
    "25010": "ai",  # business policy and administration
    "32130": "ai",  # small and medium-sized enterprises development
    "22040": "inclusion",  # information and communication technology
    "12220": "inclusion",  # basic health care
    "13030": "inclusion",  # family planning
    "15190": "inclusion",  # facilitation of orderly, safe, regular migration
    "16050": "inclusion",  # multisector aid for basic social services
}
REPORTERS = [code for code, _, _ in FOC_MEMBERS]
POSITIVE_KINDS = {"duplicate": 2_000, "same implementer": 2_000, "similar text": 2_000, "rewritten": 1_000}
NEAR_MISS_KINDS = {"same member": 1_000, "later phase": 1_000, "another country": 1_000, "another topic": 500}
BACKGROUND_EDIT = 0.10
DUPLICATE_EDIT = 0.03
SIMILAR_EDIT = 0.15
REAL_IMPLEMENTER_SHARE = 0.04
LEGAL_FORMS = ("Inc.", "Ltd", "B.V.", "e.V.", "GmbH")
SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


# --- The real material ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """What one real activity lends to the synthetic ones."""

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    start: dt.date | None
    end: dt.date | None


@dataclass
class Material:
    sources: list[Source]
    sentences: list[str]
    titles: list[str]
    words: list[str]  # for substitutions
    title_words: list[str]  # for local organisation names
    organisations: list[tuple[str, str]]  # (ref, name) of the real organisations
    endings: list[str]  # last words of real organisation names
    countries: list[str]  # every recipient country, once per activity that names it


def material() -> Material:
    activities = []
    for path in sorted(REAL.glob("*.xml")):
        activities.extend(iati.read(path).activities)
    sources = []
    sentences: list[str] = []
    titles: list[str] = []
    organisations: dict[str, tuple[str, str]] = {}
    for activity in activities:
        start = activity.dates.get("2") or activity.dates.get("1")
        end = activity.dates.get("4") or activity.dates.get("3")
        sectors = tuple(sector.code for sector in activity.sectors if sector.vocabulary == "1")
        recipients = tuple(country.code for country in activity.recipient_countries)
        sources.append(Source(countries=recipients, sectors=sectors, start=start, end=end))
        titles.extend(activity.title.values())
        for texts in activity.descriptions.values():
            for text in texts.values():
                sentences.extend(part.strip() for part in SENTENCE.split(text) if len(part.split()) >= 4)
        for org in activity.participating_orgs:
            if org.name and org.name.strip():
                organisations.setdefault(org.name.strip().casefold(), (org.ref.strip(), org.name.strip()))
    all_text = " ".join(sentences + titles)
    words = sorted({word for word in re.findall(r"[A-Za-z]{3,}", all_text)})
    title_words = sorted({word.capitalize() for word in re.findall(r"[A-Za-z]{4,}", " ".join(titles))})
    endings = sorted({name.split()[-1].strip("()").capitalize() for _, name in organisations.values()})
    endings = [ending for ending in endings if ending.isalpha() and len(ending) > 3]
    countries = [code for source in sources for code in source.countries]
    return Material(
        sources=sources,
        sentences=sentences,
        titles=titles,
        words=words,
        title_words=title_words,
        organisations=sorted(organisations.values()),
        endings=endings,
        countries=countries,
    )


# --- Synthetic activities ---------------------------------------------------------------------------------------


@dataclass
class Activity:
    key: int
    reporter: str
    countries: frozenset[str]
    topics: frozenset[str]
    start: dt.date | None
    end: dt.date | None
    implementer: tuple[str, str]  # (ref, name) as the reporter wrote it
    title: str
    sentences: list[str]
    source_sentences: frozenset[int] = field(default_factory=frozenset)

    def record(self) -> Record:
        return Record(
            key=self.key,
            reporter=self.reporter,
            countries=self.countries,
            topics=self.topics,
            start=self.start,
            end=self.end,
            implementers=frozenset({implementer_key(*self.implementer)}),
            text=f"{self.title}. {' '.join(self.sentences)}",
        )


def edit(text: str, rate: float, rng: random.Random, words: Sequence[str]) -> str:
    """Each word, at `rate`: substituted by a real word (70 %), dropped (15 %) or swapped with the next (15 %)."""
    tokens = text.split()
    result: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if rng.random() < rate:
            draw = rng.random()
            if draw < 0.7:
                result.append(rng.choice(words))
            elif draw < 0.85 or index + 1 == len(tokens):
                pass
            else:
                result.extend([tokens[index + 1], token])
                index += 1
        else:
            result.append(token)
        index += 1
    return " ".join(result)


class Generator:
    def __init__(self, source: Material, rng: random.Random) -> None:
        self.m = source
        self.rng = rng
        self.next_key = 1

    def key(self) -> int:
        self.next_key += 1
        return self.next_key - 1

    def topics(self, sectors: Iterable[str]) -> frozenset[str]:
        topics = {TOPIC_OF_SECTOR.get(code) or self.rng.choice(TOPICS) for code in sectors}
        if not topics or self.rng.random() < 0.25:
            topics.add(self.rng.choice(TOPICS))
        return frozenset(topics)

    def text(self) -> tuple[str, list[str], frozenset[int]]:
        rng, m = self.rng, self.m
        first, second = rng.choice(m.titles).split(), rng.choice(m.titles).split()
        title = " ".join(first[: max(1, len(first) // 2)] + second[len(second) // 2 :])
        chosen = [rng.randrange(len(m.sentences)) for _ in range(rng.randint(2, 5))]
        sentences = [edit(m.sentences[index], BACKGROUND_EDIT, rng, m.words) for index in chosen]
        return edit(title, BACKGROUND_EDIT, rng, m.words), sentences, frozenset(chosen)

    def local_implementer(self) -> tuple[str, str]:
        rng, m = self.rng, self.m
        if rng.random() < REAL_IMPLEMENTER_SHARE:
            return rng.choice(m.organisations)
        return "", f"{rng.choice(m.title_words)} {rng.choice(m.title_words)} {rng.choice(m.endings)}"

    def background(self) -> Activity:
        rng, m = self.rng, self.m
        source = rng.choice(m.sources)
        countries = set(source.countries) or {rng.choice(m.countries)}
        if rng.random() < 0.1:
            countries.add(rng.choice(m.countries))
        anchor = source.start or source.end or dt.date(2018, 1, 1)
        length = (source.end - source.start).days if source.start and source.end else 365
        start = anchor + dt.timedelta(days=rng.randint(-3 * 365, 3 * 365))
        end = start + dt.timedelta(days=max(90, round(length * rng.uniform(0.5, 1.5))))
        title, sentences, chosen = self.text()
        return Activity(
            key=self.key(),
            reporter=rng.choice(REPORTERS),
            countries=frozenset(countries),
            topics=self.topics(source.sectors),
            start=None if rng.random() < 0.03 else start,
            end=None if rng.random() < 0.08 else end,
            implementer=self.local_implementer(),
            title=title,
            sentences=sentences,
            source_sentences=chosen,
        )

    def other_reporter(self, reporter: str) -> str:
        return self.rng.choice([code for code in REPORTERS if code != reporter])

    def written_differently(self, implementer: tuple[str, str]) -> tuple[str, str]:
        """The same organisation as another member writes it: the ref if it has one, else the name re-cased, with
        punctuation, a leading "The" or a legal form."""
        ref, name = implementer
        if ref:
            return f" {ref.lower()} ", name.upper()
        variant = self.rng.choice(
            [
                name.upper(),
                name.lower(),
                f"The {name}",
                f"{name}, {self.rng.choice(LEGAL_FORMS)}",
                name.replace(" ", "  "),
            ]
        )
        return "", variant

    def shifted_overlapping(self, base: Activity, *, days: int | None = None) -> tuple[dt.date | None, dt.date | None]:
        """A period overlapping the base's: within `days` of it, or shifted by up to half its length."""
        if base.start is None or base.end is None:
            return base.start, base.end
        length = (base.end - base.start).days
        limit = days if days is not None else length // 2
        start = base.start + dt.timedelta(days=self.rng.randint(-limit, limit))
        end = base.end + dt.timedelta(days=self.rng.randint(-limit, limit))
        if end < start:
            end = start + dt.timedelta(days=30)
        return start, end

    def similar_text(self, base: Activity) -> tuple[str, list[str]]:
        sentences = [edit(sentence, SIMILAR_EDIT, self.rng, self.m.words) for sentence in base.sentences]
        self.rng.shuffle(sentences)
        return edit(base.title, SIMILAR_EDIT, self.rng, self.m.words), sentences

    def planted(self, kind: str, base: Activity) -> Activity | None:
        rng = self.rng
        copy = replace(base, key=self.key(), reporter=self.other_reporter(base.reporter))
        if kind in ("duplicate", "same member"):
            start, end = self.shifted_overlapping(base, days=30)
            sentences = [edit(sentence, DUPLICATE_EDIT, rng, self.m.words) for sentence in base.sentences]
            copy = replace(copy, start=start, end=end, implementer=self.written_differently(base.implementer))
            copy = replace(copy, sentences=sentences, title=edit(base.title, DUPLICATE_EDIT, rng, self.m.words))
            if kind == "same member":
                copy = replace(copy, reporter=base.reporter)
            return copy
        if kind == "same implementer":
            start, end = self.shifted_overlapping(base)
            title, sentences, chosen = self.text()
            return replace(
                copy,
                start=start,
                end=end,
                implementer=self.written_differently(base.implementer),
                title=title,
                sentences=sentences,
                source_sentences=chosen,
            )
        title, sentences = self.similar_text(base)
        start, end = self.shifted_overlapping(base)
        copy = replace(copy, start=start, end=end, title=title, sentences=sentences)
        copy = replace(copy, implementer=self.written_differently(base.implementer))
        if kind == "similar text":
            return replace(copy, implementer=("", f"{base.implementer[1]} {rng.choice(self.m.title_words)} Partners"))
        if kind == "rewritten":
            return copy
        if kind == "later phase":
            if base.end is None:
                return None
            later = base.end + dt.timedelta(days=rng.randint(30, 400))
            return replace(copy, start=later, end=later + dt.timedelta(days=rng.randint(180, 900)))
        if kind == "another country":
            others = sorted(set(self.m.countries) - base.countries)
            return replace(copy, countries=frozenset({rng.choice(others)}))
        if kind == "another topic":
            others = [topic for topic in TOPICS if topic not in base.topics]
            return replace(copy, topics=frozenset({rng.choice(others)})) if others else None
        raise ValueError(kind)


@dataclass
class Corpus:
    activities: list[Activity]
    planted: dict[tuple[int, int], str]  # (smaller key, larger key) → kind
    bases: int


def corpus(total: int, seed: int) -> Corpus:
    rng = random.Random(seed)
    generator = Generator(material(), rng)
    kinds = {**POSITIVE_KINDS, **NEAR_MISS_KINDS}
    scale = total / RECORDS
    counts = {kind: max(1, round(count * scale)) for kind, count in kinds.items()}
    background = [generator.background() for _ in range(total - sum(counts.values()))]
    bases = rng.sample(background, sum(counts.values()))
    activities = list(background)
    planted: dict[tuple[int, int], str] = {}
    for kind, count in counts.items():
        made = 0
        while made < count and bases:
            base = bases.pop()
            copy = generator.planted(kind, base)
            if copy is None:
                continue
            activities.append(copy)
            planted[(base.key, copy.key)] = kind
            made += 1
    # Fill up to the total with background, so the size is exact whatever the near misses declined.
    while len(activities) < total:
        activities.append(generator.background())
    return Corpus(activities=activities, planted=planted, bases=sum(counts.values()))


# --- Ground truth by the definition (an oracle independent of the detector) --------------------------------------


def periods_overlap(one: Activity, other: Activity) -> bool:
    low = max(one.start or dt.date.min, other.start or dt.date.min)
    high = min(one.end or dt.date.max, other.end or dt.date.max)
    return low <= high


def shared_implementer_pairs(activities: Sequence[Activity]) -> set[tuple[int, int]]:
    """Every pair of different members sharing a country, a topic and an implementer, with overlapping periods."""
    groups: dict[tuple[str, str, str], list[Activity]] = defaultdict(list)
    for activity in activities:
        implementer = implementer_key(*activity.implementer)
        for country in activity.countries:
            for topic in activity.topics:
                groups[(country, topic, implementer)].append(activity)
    pairs = set()
    for members in groups.values():
        for index, one in enumerate(members):
            for other in members[index + 1 :]:
                if one.reporter != other.reporter and periods_overlap(one, other):
                    pairs.add((min(one.key, other.key), max(one.key, other.key)))
    return pairs


# --- The naive baseline -----------------------------------------------------------------------------------------


def naive_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return re.findall(r"[^\W_]+", folded)


def naive_overlaps(records: Sequence[Record]) -> tuple[set[tuple[int, int]], float, float]:
    """The definition, pair by pair within each (country, topic) block: (pairs, seconds for the vectors, seconds
    for the pairs)."""
    began = time.perf_counter()
    bags = []
    for record in records:
        words = naive_words(record.text)
        bags.append(set(itertools.pairwise(words)) if len(words) > 1 else {(word,) for word in words})
    frequency = Counter(phrase for bag in bags for phrase in bag)
    vectors = []
    for bag in bags:
        weights = {phrase: math.log((1 + len(records)) / (1 + frequency[phrase])) + 1 for phrase in bag}
        norm = math.sqrt(sum(weight * weight for weight in weights.values())) or 1.0
        vectors.append({phrase: weight / norm for phrase, weight in weights.items()})
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        for country in record.countries:
            for topic in record.topics:
                blocks[(country, topic)].append(index)
    vectors_seconds = time.perf_counter() - began
    began = time.perf_counter()
    found = set()
    for members in blocks.values():
        for position, first in enumerate(members):
            one = records[first]
            for second in members[position + 1 :]:
                other = records[second]
                if one.reporter == other.reporter:
                    continue
                low = max(one.start or dt.date.min, other.start or dt.date.min)
                if low > min(one.end or dt.date.max, other.end or dt.date.max):
                    continue
                shared = one.implementers & other.implementers
                if not shared:
                    small, large = sorted((vectors[first], vectors[second]), key=len)
                    similarity = sum(weight * large.get(phrase, 0.0) for phrase, weight in small.items())
                    if similarity < MIN_SIMILARITY - 1e-9:
                        continue
                found.add((min(one.key, other.key), max(one.key, other.key)))
    return found, vectors_seconds, time.perf_counter() - began


# --- Measuring --------------------------------------------------------------------------------------------------


def timed(action: Callable[[], list[Candidate]]) -> tuple[float, list[Candidate]]:
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "—"


def row(*cells: str) -> None:
    print("| " + " | ".join(cells) + " |")


def naive_sample(records: Sequence[Record], planted: Iterable[tuple[int, int]], size: int, seed: int) -> list[Record]:
    """`size` records: both sides of planted pairs for a quarter of it (so that the two methods have pairs to agree
    on), the rest drawn at random."""
    rng = random.Random(seed)
    by_key = {record.key: record for record in records}
    chosen: dict[int, Record] = {}
    for first, second in rng.sample(sorted(planted), size // 8):
        chosen[first], chosen[second] = by_key[first], by_key[second]
    while len(chosen) < min(size, len(records)):
        record = rng.choice(records)
        chosen[record.key] = record
    return list(chosen.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--sample", type=int, default=SAMPLE)
    arguments = parser.parse_args()
    if not REAL.is_dir():
        sys.exit(f"{REAL} is not here: the benchmark reads ../shared/data/iati")

    began = time.perf_counter()
    built = corpus(arguments.records, arguments.seed)
    activities = built.activities
    by_key = {activity.key: activity for activity in activities}
    records = [activity.record() for activity in activities]
    print(
        f"{len(records):,} activities ({len(built.planted):,} planted copies), seed {arguments.seed}, "
        f"built in {time.perf_counter() - began:.1f} s"
    )

    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    runs = []
    candidates: list[Candidate] = []
    for _ in range(3):
        seconds, candidates = timed(lambda: find_overlaps(records))
        runs.append(seconds)
    call_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before_mb
    deterministic = find_overlaps(list(reversed(records))) == candidates
    newest = {record.key for record in random.Random(arguments.seed + 2).sample(records, INCREMENTAL)}
    incremental_seconds, incremental = timed(lambda: find_overlaps(records, among=newest))
    expected_incremental = [c for c in candidates if c.a in newest or c.b in newest]

    returned = {(c.a, c.b): c for c in candidates}
    positives = {pair: kind for pair, kind in built.planted.items() if kind in POSITIVE_KINDS}
    near_misses = {pair for pair, kind in built.planted.items() if kind in NEAR_MISS_KINDS}
    by_chance = shared_implementer_pairs(activities) - set(built.planted)

    print()
    row("planted kind", "pairs", "returned", "recall", "flagged duplicate")
    row("---", "---", "---", "---", "---")
    for kind in [*POSITIVE_KINDS, *NEAR_MISS_KINDS]:
        pairs = [pair for pair, planted in built.planted.items() if planted == kind]
        hits = [returned[pair] for pair in pairs if pair in returned]
        shown = ratio(len(hits), len(pairs)) if kind in POSITIVE_KINDS else "(must not be returned)"
        row(kind, f"{len(pairs):,}", f"{len(hits):,}", shown, f"{sum(c.likely_duplicate for c in hits):,}")
    chance = [pair for pair in returned if pair in by_chance]
    row(
        "background, same implementer by chance (found by grouping)",
        f"{len(by_chance):,}",
        f"{len(chance):,}",
        ratio(len(chance), len(by_chance)),
        f"{sum(returned[pair].likely_duplicate for pair in chance):,}",
    )
    others = [c for pair, c in returned.items() if pair not in positives and pair not in by_chance]
    sharing = sum(len(by_key[c.a].source_sentences & by_key[c.b].source_sentences) >= 2 for c in others)
    row(
        "background, similar description only",
        "—",
        f"{len(others):,} ({sharing} built from ≥ 2 of the same sentences)",
        "—",
        f"{sum(c.likely_duplicate for c in others):,}",
    )

    found = sum(pair in returned for pair in positives)
    near_returned = sum(pair in returned for pair in near_misses)
    recall = found / len(positives)
    strict = found / len(returned) if returned else 1.0
    defined = (found + len(chance)) / len(returned) if returned else 1.0
    flagged = {pair for pair, candidate in returned.items() if candidate.likely_duplicate}
    duplicates = {pair for pair, kind in positives.items() if kind == "duplicate"}
    flag_precision = len(flagged & duplicates) / len(flagged) if flagged else 1.0
    flag_recall = len(flagged & duplicates) / len(duplicates)
    median = statistics.median(runs)

    sample = naive_sample(records, positives, arguments.sample, arguments.seed + 1)
    naive_pairs, naive_vectors, naive_loop = naive_overlaps(sample)
    sample_seconds, fast_sample = timed(lambda: find_overlaps(sample))
    fast_pairs = {(c.a, c.b) for c in fast_sample}
    factor = len(records) / len(sample)
    naive_scaled = naive_vectors * factor + naive_loop * factor * factor
    block_sizes = Counter((country, topic) for r in records for country in r.countries for topic in r.topics)
    in_blocks = sum(size * (size - 1) // 2 for size in block_sizes.values())
    same_incremental = sorted(incremental, key=lambda c: (c.a, c.b)) == sorted(
        expected_incremental, key=lambda c: (c.a, c.b)
    )

    print()
    row("measure", "value", "target")
    row("---", "---", "---")
    row("returned pairs", f"{len(returned):,} ({near_returned} near misses)", "—")
    row("recall, planted overlaps", f"{recall:.3f} ({found:,} of {len(positives):,})", f"≥ {TARGET_SCORE}")
    row("precision by the definition (chance shared implementers right)", f"{defined:.3f}", f"≥ {TARGET_SCORE}")
    row("precision, strict (only planted pairs right)", f"{strict:.3f}", "reported")
    row(
        "duplicate flag precision / recall",
        f"{flag_precision:.3f} / {flag_recall:.3f} ({len(flagged):,} flagged)",
        "reported",
    )
    row(
        f"`find_overlaps`, {len(records):,} records, median of 3 (slowest)",
        f"{median:.2f} s ({max(runs):.2f} s)",
        f"≤ {TARGET_SECONDS:g} s",
    )
    row(
        f"incremental, `among` = {INCREMENTAL:,} of the records (an import)",
        f"{incremental_seconds:.2f} s ({len(incremental):,} pairs; the full run's: {same_incremental})",
        "—",
    )
    row("same answer with the records in reverse order", str(deterministic), "—")
    row("memory the call adds to the process (peak RSS)", f"{call_mb:,.0f} MB", "reported")
    row("pairs of records within (country, topic) blocks", f"{in_blocks:,}", "—")
    row(
        f"naive baseline on {len(sample):,} records: vectors / pairs",
        f"{naive_vectors:.2f} s / {naive_loop:.2f} s",
        "baseline",
    )
    row(
        f"naive baseline scaled to {len(records):,} (×{factor:g} vectors, ×{factor * factor:g} pairs)",
        f"{naive_scaled:,.0f} s",
        "baseline",
    )
    row(
        "`find_overlaps` on the same records",
        f"{sample_seconds:.2f} s; {len(fast_pairs):,} pairs, naive {len(naive_pairs):,}, "
        f"{len(fast_pairs ^ naive_pairs)} different",
        "—",
    )
    row(f"speed-up at {len(records):,}", f"{naive_scaled / median:,.0f}×", "reported")
    met = recall >= TARGET_SCORE and defined >= TARGET_SCORE and median <= TARGET_SECONDS
    print()
    print(
        f"precision (by the definition) and recall ≥ {TARGET_SCORE}, within {TARGET_SECONDS:g} s: "
        f"{'met' if met else 'NOT met'}; strict precision {strict:.3f}"
    )


if __name__ == "__main__":
    main()
