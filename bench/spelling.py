"""Benchmark of issue 15 items 19 and 21 on the library's engine: what "did you mean" costs beside the search it
follows and how often it restores a misspelt word, and what indexing a speech in the committing process costs beside
embedding it (why indexing no longer waits in the task worker's queue).

The library is built as `bench/library.py` builds it, from the real UN General Debate speeches (read from
`../shared/data/`, never copied), in a temporary folder on disk (as deployed, not in memory). Queries are
`bench/library.py`'s realistic searches; each is also misspelt once, in one word of five letters or more, by one
random edit (a letter dropped, doubled, replaced or swapped with its neighbour).

Run: .venv/bin/python bench/spelling.py                      (200,000 paragraphs: a minute or two to build)
     .venv/bin/python bench/spelling.py --paragraphs 50000
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import library as base  # noqa: E402  (bench/library.py: the speeches, the generated library, the queries)

from coalition.library import embedding, spelling  # noqa: E402
from coalition.library.engine import Engine, IndexedParagraph, words  # noqa: E402

SEED = 15


def misspell(query: str, rng: random.Random) -> tuple[str, str] | None:
    """(the query with one long word misspelt, that word), or None when it has no word of five letters or more."""
    long_words = [w for w in words(query) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return None
    word = rng.choice(long_words)
    i = rng.randrange(1, len(word) - 1)
    edit = rng.choice(("drop", "double", "replace", "swap"))
    if edit == "drop":
        wrong = word[:i] + word[i + 1 :]
    elif edit == "double":
        wrong = word[:i] + word[i] + word[i:]
    elif edit == "replace":
        wrong = word[:i] + rng.choice([c for c in string.ascii_lowercase if c != word[i]]) + word[i + 1 :]
    else:
        wrong = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return query.replace(word, wrong, 1), word


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def p95_ms(times: list[float]) -> float:
    return sorted(times)[int(0.95 * (len(times) - 1))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paragraphs", type=int, default=200_000)
    args = parser.parse_args()
    if not base.DATA.exists():
        sys.exit(f"The speeches are not at {base.DATA}.")
    all_speeches = base.speeches()
    pool = [s for speech in all_speeches for s in speech]
    vocabulary = sorted({w for s in pool for w in words(s) if w.isalpha() and w.islower() and len(w) > 2})
    rng = random.Random(SEED)

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        engine = Engine(Path(folder) / "index", heap_size=500_000_000, threads=2)
        engine.rebuild(
            base.indexed(pid, text, rng)
            for pid, text in enumerate(base.background(args.paragraphs, pool, vocabulary), start=1)
        )
        print(f"Library: {engine.size:,} paragraphs on disk, built in {time.perf_counter() - started:.0f} s")
        engine = Engine(Path(folder) / "index")  # as a web process opens it

        # --- Item 21: "did you mean" beside the search it follows ---
        chosen = [text for text, _terms, _phrase in base.queries(pool, rng)]
        pairs = [(q, found) for q in chosen if (found := misspell(q, rng)) is not None]
        for query in chosen[:20]:  # warm the caches alike
            engine.search(query, access=base.READER)
            spelling.suggest(engine, query, access=base.READER)
        rows = []
        for label, queries in (("spelt right", chosen), ("misspelt", [wrong for _q, (wrong, _w) in pairs])):
            search_times, suggest_times, suggested = [], [], []
            for query in queries:
                t0 = time.perf_counter()
                page = engine.search(query, access=base.READER)
                t1 = time.perf_counter()  # as `queries.search` asks: only when under ten paragraphs hold every word
                suggested.append("" if page.all_words else spelling.suggest(engine, query, access=base.READER))
                t2 = time.perf_counter()
                search_times.append(t1 - t0)
                suggest_times.append(t2 - t1)
            rows.append((label, queries, search_times, suggest_times, suggested))
        print("\n| queries | count | search median / p95 | suggestion median / p95 | ratio of medians | suggested |")
        print("|---|---|---|---|---|---|")
        for label, queries, search_times, suggest_times, suggested in rows:
            print(
                f"| {label} | {len(queries)} | {median_ms(search_times):.2f} / {p95_ms(search_times):.2f} ms | "
                f"{median_ms(suggest_times):.2f} / {p95_ms(suggest_times):.2f} ms | "
                f"{median_ms(suggest_times) / median_ms(search_times):.2f} | {sum(map(bool, suggested))} |"
            )
        misspelt = rows[1][4]
        restored = sum(1 for (query, _found), got in zip(pairs, misspelt, strict=True) if got.lower() == query.lower())
        original_word = sum(1 for (_q, (_wrong, word)), got in zip(pairs, misspelt, strict=True) if word in words(got))
        print(
            f"Misspelt queries: the suggestion restores the whole query in {restored} of {len(pairs)} "
            f"({restored / len(pairs):.0%}); the misspelt word in {original_word} ({original_word / len(pairs):.0%}); "
            f"no suggestion for {sum(not s for s in misspelt)}."
        )
        print(f"Queries spelt right given a suggestion anyway: {sum(map(bool, rows[0][4]))} of {len(chosen)}.")

        # --- Item 19: indexing one speech here beside embedding it in the worker ---
        speech = [" ".join(s[i : i + 4]) for s in all_speeches[:1] for i in range(0, len(s), 4)][:40]
        index_times = []
        for n in range(10):
            sid = 10_000_000 + n
            batch = [
                IndexedParagraph(pid=sid * 100 + i, sid=sid, text=t, access="public") for i, t in enumerate(speech)
            ]
            t0 = time.perf_counter()
            engine.replace_sources([sid], batch)
            index_times.append(time.perf_counter() - t0)
        print(f"\nIndexing one speech of {len(speech)} paragraphs on disk: median {median_ms(index_times):.0f} ms")
        if embedding.available():
            embedding.embed(speech[:2])  # load the model first, as a running worker has
            embed_times = []
            for _ in range(2):
                t0 = time.perf_counter()
                embedding.embed(speech)
                embed_times.append(time.perf_counter() - t0)
            ratio = statistics.median(embed_times) / statistics.median(index_times)
            print(f"Embedding the same paragraphs: median {median_ms(embed_times):.0f} ms ({ratio:.0f}× indexing)")


if __name__ == "__main__":
    main()
