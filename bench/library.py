"""Benchmark of the agreed-language library's engine (issue 6): reuse detection quality, detection speed, search speed.

The text is real: UN General Debate speeches 2011–2017 (`../shared/data/agreed-language/ungdc/`, 73 speeches), read
here and never copied into the repository. A quarter of the speeches (every fourth) is held out for the evaluation;
the rest make the background library:
- background: synthetic paragraphs of 2–6 sentences of the speeches (consecutive or sampled, seeded), with a few
  single-word substitutions each, and formulaic UN phrases ("Recalling its resolution 66/288 of 27 July 2012,", "We
  reaffirm our commitment to the purposes and principles of the Charter of the United Nations.") in about 9 % of them;
- evaluation sources: paragraphs of 2–4 consecutive held-out sentences (≥ 25 words), added to the library once each;
- evaluation targets: each source reused once as one kind — verbatim (alone or inside a longer paragraph), edited
  (1 to 10 % of its words substituted, inserted or deleted, one word at a time), restructured (clauses of ≥ 6 words
  inserted or removed), reordered (sentences in another order) — and negatives that reuse nothing: held-out text
  never indexed, half of it wrapped in the library's formulaic phrases.

Then it measures, on the same index:
- precision and recall per kind and kind accuracy (`Engine.find_reuse` on every target);
- detection of a 20-page target (≈ 100 paragraphs, ≈ 10,000 words) end to end, as a reader's check does it;
- search top-10 (with total and highlights, as the search page asks) against SQLite FTS5 (porter tokenizer,
  `bm25()` order, limit 10) over the same paragraphs, in the same run;
- index size on disk and the process's peak memory.

Run: .venv/bin/python bench/library.py                    (1,000,000 paragraphs; the first run builds for minutes)
     .venv/bin/python bench/library.py --quick            (50,000 paragraphs)
The index and the FTS5 table are kept in bench/.cache/ (git-ignored) and reused while the settings are unchanged.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coalition.library.engine import (  # noqa: E402
    EDITED,
    REORDERED,
    RESTRUCTURED,
    VERBATIM,
    AccessFilter,
    Engine,
    IndexedParagraph,
    words,
)

DATA = ROOT.parent / "shared" / "data" / "agreed-language" / "ungdc" / "ungdc_2011-2017_digital-mentions.jsonl"
CACHE = ROOT / "bench" / ".cache"
VERSION = 1  # bump when the generated library changes, so the cache is rebuilt
SEED = 6
KINDS = (VERBATIM, EDITED, RESTRUCTURED, REORDERED)
PER_KIND = 80
NEGATIVES = 100
QUERIES = 300
READER = AccessFilter(levels=frozenset({"public", "coalition"}))

FORMULAIC_OPENINGS = (
    "Recalling its resolution {res} of {date},",
    "Recalling also its resolution {res} of {date},",
    "Reaffirming its resolution {res} of {date},",
    "Taking note with appreciation of the report of the Secretary-General,",
    "Recognizing the importance of international cooperation in this regard,",
    "Stressing the need for full respect for human rights and fundamental freedoms,",
)
FORMULAIC_CLOSINGS = (
    "We reaffirm our commitment to the purposes and principles of the Charter of the United Nations.",
    "We remain committed to the full implementation of the 2030 Agenda for Sustainable Development.",
)
RESOLUTIONS = [(f"{s}/{n}", f"{d} {m} {2000 + s - 55}") for s, n, d, m in [
    (66, 288, 27, "July"), (70, 1, 25, "September"), (60, 1, 16, "September"), (65, 1, 22, "September"),
    (68, 167, 18, "December"), (69, 166, 18, "December"), (71, 199, 19, "December"), (67, 97, 14, "December"),
    (64, 292, 28, "July"), (69, 313, 27, "July"), (70, 125, 16, "December"), (66, 130, 19, "December"),
]]  # fmt: skip


# --- Reading the speeches ---------------------------------------------------------------------------------------

PAGE_LINE = re.compile(r"^\s*(?:\d+\s+)?\d{2}-\d{5}(?:\s+\d+)?\s*$")  # "29 11-51360": the page header of the record
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"“(A-Z])")


def split_paragraphs(text: str) -> list[str]:
    """A simple paragraph splitter for the verbatim records: a new paragraph where a line starts indented, or after a
    blank line that follows the end of a sentence (blank lines also surround page headers, mid-sentence)."""
    paragraphs: list[list[str]] = [[]]
    for line in text.split("\n"):
        if PAGE_LINE.match(line):
            continue
        if not line.strip():
            if paragraphs[-1] and paragraphs[-1][-1].rstrip().endswith((".", "!", "?")):
                paragraphs.append([])
            continue
        if line[:1].isspace() and line.strip()[:1].isupper() and paragraphs[-1]:
            paragraphs.append([])
        paragraphs[-1].append(line.strip())
    result = []
    for lines in paragraphs:
        joined = re.sub(r"\s+", " ", " ".join(lines)).strip()
        if joined:
            result.append(joined)
    return result


def speeches() -> list[list[str]]:
    """Each speech as its list of sentences (6–60 words, no page furniture)."""
    result = []
    with DATA.open(encoding="utf-8") as lines:
        for line in lines:
            text = json.loads(line)["text"]
            found = []
            for paragraph in split_paragraphs(text):
                for sentence in SENTENCE_SPLIT.split(paragraph):
                    if 6 <= len(words(sentence)) <= 60 and sentence[-1:] in ".!?":
                        found.append(sentence)
            result.append(found)
    return result


# --- The library ------------------------------------------------------------------------------------------------


def formulaic_opening(rng: random.Random) -> str:
    res, date = rng.choice(RESOLUTIONS)
    return rng.choice(FORMULAIC_OPENINGS).format(res=res, date=date)


def substitute(text: str, count: int, vocabulary: list[str], rng: random.Random) -> str:
    tokens = text.split(" ")
    for _ in range(count):
        i = rng.randrange(len(tokens))
        if tokens[i].isalpha() and tokens[i].islower():
            tokens[i] = rng.choice(vocabulary)
    return " ".join(tokens)


def background(count: int, pool: list[str], vocabulary: list[str]) -> Iterator[str]:
    rng = random.Random(SEED)
    for _ in range(count):
        size = rng.randint(2, 6)
        if rng.random() < 0.5:
            start = rng.randrange(len(pool) - size)
            chosen = pool[start : start + size]
        else:
            chosen = rng.sample(pool, size)
        text = " ".join(chosen)
        text = substitute(text, rng.randint(1, 1 + len(text) // 100), vocabulary, rng)
        roll = rng.random()
        if roll < 0.06:
            text = formulaic_opening(rng) + " " + text
        elif roll < 0.09:
            text = text + " " + rng.choice(FORMULAIC_CLOSINGS)
        yield text


def indexed(pid: int, text: str, rng: random.Random) -> IndexedParagraph:
    roll = rng.random()
    return IndexedParagraph(
        pid=pid,
        sid=1 + pid // 20,
        text=text,
        access="public" if roll < 0.85 else "coalition" if roll < 0.95 else "members",
        forum=rng.choice(("UNGA", "HRC", "ECOSOC", "UNESCO")),
        year=rng.randint(2011, 2017),
        kind=rng.choice(("resolution", "statement", "speech")),
    )


# --- The evaluation set -----------------------------------------------------------------------------------------


@dataclass
class Target:
    text: str
    kind: str  # one of KINDS, or "none" for a negative
    source: int = 0  # the planted source's pid


def chunks(sentences: list[str], rng: random.Random) -> list[str]:
    """Consecutive held-out sentences grouped into paragraphs of 2–4 sentences and 25–160 words."""
    found, i = [], 0
    while i < len(sentences) - 1:
        size = rng.randint(2, 4)
        group = sentences[i : i + size]
        i += size
        n = len(words(" ".join(group)))
        if len(group) >= 2 and 25 <= n <= 160:
            found.append(" ".join(group))
    return found


def fresh_sentences(held_out: list[str], background_pool: list[str]) -> list[str]:
    """Held-out sentences sharing no 8-word run with the background: speeches repeat each other's set phrases, and
    a sentence truly reused elsewhere would be a correct detection counted as a false one."""
    seen: set[tuple[str, ...]] = set()
    for sentence in background_pool:
        w = words(sentence)
        seen.update(tuple(w[i : i + 8]) for i in range(len(w) - 7))
    fresh = []
    for sentence in held_out:
        w = words(sentence)
        if not any(tuple(w[i : i + 8]) in seen for i in range(len(w) - 7)):
            fresh.append(sentence)
    return fresh


def edit(text: str, vocabulary: list[str], rng: random.Random) -> str:
    """Change 1 to 10 % of the words, one word at a time (substitute, insert or delete), never two side by side and
    never the first or last word (an edit there would leave a verbatim part)."""
    tokens = text.split(" ")
    budget = max(1, int(0.10 * len(words(text))))
    count = rng.randint(1, budget)
    spots = sorted(rng.sample(range(1, len(tokens) - 1, 2), min(count, (len(tokens) - 2) // 2)), reverse=True)
    for i in spots:
        op = rng.choice(("sub", "ins", "del"))
        if op == "sub":
            replacement = rng.choice(vocabulary)
            while replacement == tokens[i].lower().strip(".,;:"):
                replacement = rng.choice(vocabulary)
            tokens[i] = replacement
        elif op == "ins":
            tokens.insert(i, rng.choice(vocabulary))
        else:
            del tokens[i]
    return " ".join(tokens)


CLAUSE = re.compile(r", ([^,.;]+?),")


def restructure(text: str, filler: list[str], rng: random.Random) -> str:
    """Remove a clause set off by commas (≥ 6 words), or insert one taken from unrelated text; once or twice."""
    for _ in range(rng.randint(1, 2)):
        clauses = [m for m in CLAUSE.finditer(text) if 6 <= len(words(m.group(1))) <= 25]
        if clauses and rng.random() < 0.5:
            m = rng.choice(clauses)
            text = text[: m.start()] + "," + text[m.end() :]
        else:
            donor = words(rng.choice(filler))
            size = rng.randint(6, min(12, len(donor)))
            start = rng.randrange(len(donor) - size + 1)
            clause = " ".join(donor[start : start + size])
            tokens = text.split(" ")
            at = rng.randrange(2, len(tokens) - 1)
            tokens.insert(at, f"— {clause} —")
            text = " ".join(tokens)
    return text


def reorder(text: str, rng: random.Random) -> str:
    parts = SENTENCE_SPLIT.split(text)
    order = list(range(len(parts)))
    while order == sorted(order):
        rng.shuffle(order)
    return " ".join(parts[i] for i in order)


def evaluation(held_out: list[str], vocabulary: list[str], first_pid: int) -> tuple[list[str], list[Target]]:
    rng = random.Random(SEED + 1)
    paragraphs = chunks(held_out, rng)
    rng.shuffle(paragraphs)
    per_kind = min(PER_KIND, (len(paragraphs) - NEGATIVES) // 5)
    sources = paragraphs[: per_kind * len(KINDS)]
    negatives = paragraphs[len(sources) : len(sources) + NEGATIVES]
    filler = paragraphs[len(sources) + NEGATIVES :]
    sources = [formulaic_opening(rng) + " " + s if rng.random() < 0.2 else s for s in sources]
    targets = []
    for n, source in enumerate(sources):
        kind, pid = KINDS[n % len(KINDS)], first_pid + n
        if kind == VERBATIM:
            text = source
            if rng.random() < 0.5:
                context = SENTENCE_SPLIT.split(rng.choice(filler))[0]
                text = f"{context} {source}" if rng.random() < 0.5 else f"{source} {context}"
        elif kind == EDITED:
            text = edit(source, vocabulary, rng)
        elif kind == RESTRUCTURED:
            text = restructure(source, filler, rng)
        else:
            text = reorder(source, rng)
        targets.append(Target(text, kind, pid))
    for n, negative in enumerate(negatives):
        if n % 2:
            negative = f"{formulaic_opening(rng)} {negative} {rng.choice(FORMULAIC_CLOSINGS)}"
        targets.append(Target(negative, "none"))
    return sources, targets


# --- Building (or reusing) the index and the FTS5 table ---------------------------------------------------------


def build(folder: Path, texts: Iterator[str], total: int) -> dict[str, float]:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    engine = Engine(folder / "tantivy", heap_size=1_000_000_000, threads=2)
    database = sqlite3.connect(folder / "fts5.sqlite")
    database.execute("PRAGMA journal_mode=OFF")
    database.execute("CREATE VIRTUAL TABLE paragraph USING fts5(text, tokenize='porter unicode61')")
    batch: list[tuple[int, str]] = []
    rng = random.Random(SEED + 2)

    def tee() -> Iterator[IndexedParagraph]:
        for pid, text in enumerate(texts, start=1):
            batch.append((pid, text))
            if len(batch) == 10_000:
                database.executemany("INSERT INTO paragraph(rowid, text) VALUES (?, ?)", batch)
                batch.clear()
                print(f"\r  built {pid:,} of {total:,}", end="", file=sys.stderr, flush=True)
            yield indexed(pid, text, rng)

    engine.rebuild(tee())
    database.executemany("INSERT INTO paragraph(rowid, text) VALUES (?, ?)", batch)
    database.commit()
    database.execute("INSERT INTO paragraph(paragraph) VALUES ('optimize')")
    database.commit()
    database.close()
    seconds = time.perf_counter() - started
    (folder / "done").write_text(json.dumps({"seconds": seconds}))
    print(file=sys.stderr)
    return {"seconds": seconds}


def folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


# --- Measuring --------------------------------------------------------------------------------------------------


def score(engine: Engine, targets: list[Target]) -> dict[str, dict[str, float]]:
    """Precision by the kind the engine reports (a reported pair is right if it is the planted pair), recall by the
    planted kind, and how often a found pair was given its planted kind."""
    reported: Counter[str] = Counter()
    right: Counter[str] = Counter()
    planted: Counter[str] = Counter()
    found: Counter[str] = Counter()
    kind_right: Counter[str] = Counter()
    false_on_negatives = 0
    confusion: Counter[tuple[str, str]] = Counter()
    searcher = engine.searcher()
    for target in targets:
        reuses = engine.find_reuse(target.text, searcher=searcher)
        for reuse in reuses:
            reported[reuse.kind] += 1
            if reuse.pid == target.source:
                right[reuse.kind] += 1
        if target.kind == "none":
            false_on_negatives += bool(reuses)
            continue
        planted[target.kind] += 1
        hit = next((r for r in reuses if r.pid == target.source), None)
        if hit is not None:
            found[target.kind] += 1
            kind_right[target.kind] += hit.kind == target.kind
            confusion[(target.kind, hit.kind)] += 1
    table: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        table[kind] = {
            "planted": planted[kind],
            "recall": found[kind] / planted[kind] if planted[kind] else 0.0,
            "reported": reported[kind],
            "precision": right[kind] / reported[kind] if reported[kind] else 1.0,
            "kind accuracy": kind_right[kind] / found[kind] if found[kind] else 0.0,
        }
    negatives = sum(1 for t in targets if t.kind == "none")
    table["all"] = {
        "planted": sum(planted.values()),
        "recall": sum(found.values()) / max(1, sum(planted.values())),
        "reported": sum(reported.values()),
        "precision": sum(right.values()) / max(1, sum(reported.values())),
        "kind accuracy": sum(kind_right.values()) / max(1, sum(found.values())),
        "negatives": negatives,
        "negatives with a reported reuse": false_on_negatives,
    }
    table["confusion"] = {f"{a}→{b}": float(n) for (a, b), n in sorted(confusion.items()) if a != b}
    return table


def detect_document(engine: Engine, targets: list[Target], rng: random.Random) -> dict[str, float]:
    """A 20-page target: ≈ 100 paragraphs and ≈ 10,000 words drawn from the evaluation targets, checked paragraph by
    paragraph as a reader's check does (their access filter, passages from 8 words)."""
    pool = [t.text for t in targets if 70 <= len(words(t.text)) <= 160]
    chosen = rng.sample(pool, min(100, len(pool)))
    total = sum(len(words(text)) for text in chosen)
    document = "\n\n".join(chosen)
    runs = []
    for _ in range(3):
        started, cpu = time.perf_counter(), time.process_time()
        searcher = engine.searcher()
        paragraphs = [p for p in re.split(r"\n\s*\n", document) if p.strip()]
        matched = sum(bool(engine.find_reuse(p, access=READER, searcher=searcher, min_words=8)) for p in paragraphs)
        runs.append((time.perf_counter() - started, time.process_time() - cpu, matched))
    wall, cpu, matched = sorted(runs)[1]
    return {
        "paragraphs": len(chosen),
        "words": total,
        "matched": matched,
        "first": runs[0][0],
        "wall": wall,
        "cores": cpu / wall,
    }


def queries(pool: list[str], rng: random.Random) -> list[tuple[str, list[str], bool]]:
    """Realistic searches: 1–6 consecutive words of the speeches, with at least one word of five letters or more
    (nobody searches for "of the"); a third of the multi-word ones as quoted phrases."""
    found: list[tuple[str, list[str], bool]] = []
    while len(found) < QUERIES:
        w = words(rng.choice(pool))
        size = rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6))
        if len(w) < size:
            continue
        start = rng.randrange(len(w) - size + 1)
        chosen = w[start : start + size]
        if not all(x.isalpha() for x in chosen) or not any(len(x) >= 5 for x in chosen):
            continue
        phrase = size > 1 and rng.random() < 0.33
        text = '"' + " ".join(chosen) + '"' if phrase else " ".join(chosen)
        found.append((text, chosen, phrase))
    return found


def percentiles(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return statistics.median(ordered) * 1000, pick(0.95), pick(0.99)


def search_speed(engine: Engine, database: sqlite3.Connection, chosen: list[tuple[str, list[str], bool]]) -> dict:
    fts_sql = "SELECT rowid, bm25(paragraph) FROM paragraph WHERE paragraph MATCH ? ORDER BY bm25(paragraph) LIMIT 10"

    def fts_query(terms: list[str], phrase: bool) -> str:
        return '"' + " ".join(terms) + '"' if phrase else " ".join(f'"{t}"' for t in terms)

    for text, terms, phrase in chosen[:20]:  # warm both caches alike
        engine.search(text, access=READER)
        database.execute(fts_sql, (fts_query(terms, phrase),)).fetchall()
    tantivy_times, fts_times, empty = [], [], 0
    for text, terms, phrase in chosen:
        started = time.perf_counter()
        page = engine.search(text, access=READER)
        tantivy_times.append(time.perf_counter() - started)
        empty += not page.hits
        started = time.perf_counter()
        database.execute(fts_sql, (fts_query(terms, phrase),)).fetchall()
        fts_times.append(time.perf_counter() - started)
    return {"tantivy": percentiles(tantivy_times), "fts5": percentiles(fts_times), "empty": empty}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paragraphs", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="50,000 paragraphs")
    args = parser.parse_args()
    count = 50_000 if args.quick else args.paragraphs
    if not DATA.exists():
        sys.exit(f"The speeches are not at {DATA}.")

    all_speeches = speeches()
    held_out = [s for i, speech in enumerate(all_speeches) if i % 4 == 3 for s in speech]
    pool = [s for i, speech in enumerate(all_speeches) if i % 4 != 3 for s in speech]
    vocabulary = sorted({w for s in pool for w in words(s) if w.isalpha() and w.islower() and len(w) > 2})
    fresh = fresh_sentences(held_out, pool)
    sources, targets = evaluation(fresh, vocabulary, first_pid=count + 1)
    print(
        f"Speeches: {len(all_speeches)}; background sentences {len(pool):,}, held out {len(held_out):,} "
        f"({len(fresh):,} sharing no 8-word run with the background)"
    )

    folder = CACHE / f"library-{count}-v{VERSION}"
    built = ""
    if not (folder / "done").exists():
        print(f"Building {count + len(sources):,} paragraphs in {folder} …", file=sys.stderr)
        texts = (t for part in (background(count, pool, vocabulary), iter(sources)) for t in part)
        seconds = build(folder, texts, count + len(sources))["seconds"]
        built = f" (built in this run: {seconds:.0f} s for tantivy and FTS5 together)"
    else:
        seconds = json.loads((folder / "done").read_text())["seconds"]
        built = f" (reused; built in {seconds:.0f} s for tantivy and FTS5 together)"
    rss_after_build = peak_rss_mb()
    engine = Engine(folder / "tantivy")
    database = sqlite3.connect(folder / "fts5.sqlite")
    print(f"Library: {engine.size:,} paragraphs{built}")

    started = time.perf_counter()
    table = score(engine, targets)
    eval_seconds = time.perf_counter() - started
    print(f"\nReuse evaluation: {len(targets)} target paragraphs, {eval_seconds:.1f} s")
    print("| kind | planted | recall | reported | precision | kind accuracy |")
    print("|---|---|---|---|---|---|")
    for kind in (*KINDS, "all"):
        row = table[kind]
        print(
            f"| {kind} | {row['planted']:.0f} | {row['recall']:.3f} | {row['reported']:.0f} | "
            f"{row['precision']:.3f} | {row['kind accuracy']:.3f} |"
        )
    print(
        f"Negatives: {table['all']['negatives']:.0f} (half wrapped in formulaic phrases), "
        f"{table['all']['negatives with a reported reuse']:.0f} with a reported reuse"
    )
    if table["confusion"]:
        print("Kinds given otherwise: " + ", ".join(f"{k} {v:.0f}" for k, v in table["confusion"].items()))

    detection = detect_document(engine, targets, random.Random(SEED + 3))
    rate = engine.size / (detection["wall"] * max(detection["cores"], 1.0))
    print(
        f"\nDetection, 20-page target: {detection['paragraphs']:.0f} paragraphs, {detection['words']:,.0f} words, "
        f"{detection['matched']:.0f} with reuse found; {detection['wall']:.2f} s end to end (median of 3, first "
        f"{detection['first']:.2f} s), {detection['cores']:.2f} cores busy → {rate:,.0f} library paragraphs per "
        "second per core"
    )

    chosen = queries(pool, random.Random(SEED + 4))
    speed = search_speed(engine, database, chosen)
    t50, t95, t99 = speed["tantivy"]
    f50, f95, f99 = speed["fts5"]
    print(f"\nSearch top 10, {len(chosen)} queries ({speed['empty']} without hits):")
    print("| engine | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|")
    print(f"| tantivy (`Engine.search`: total, highlights, access filter) | {t50:.2f} | {t95:.2f} | {t99:.2f} |")
    print(f"| SQLite FTS5 (porter, bm25, LIMIT 10) | {f50:.2f} | {f95:.2f} | {f99:.2f} |")
    print(f"| ratio tantivy / FTS5 | {t50 / f50:.3f} | {t95 / f95:.3f} | {t99 / f99:.3f} |")

    print(
        f"\nIndex on disk: tantivy {folder_size(folder / 'tantivy') / 1e6:,.0f} MB, "
        f"FTS5 {(folder / 'fts5.sqlite').stat().st_size / 1e6:,.0f} MB"
    )
    print(
        f"Peak RSS: {peak_rss_mb():,.0f} MB"
        + (f" (the build alone peaked at {rss_after_build:,.0f} MB)" if "built in this run" in built else "")
    )


if __name__ == "__main__":
    main()
