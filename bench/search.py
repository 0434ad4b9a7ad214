"""Benchmark of the platform search (issue 19): the demo coalition scaled ×20, typical queries as four roles.

The demo (`load_demo`) is loaded, then every searchable record is copied 19 times (members and observers with their
participation steps, people with their positions, programme activities, meetings, documents, statements with a
document each, library paragraphs, situations, funding activities; unique fields given a suffix), and the index is
rebuilt. Queries are drawn from the index itself (seeded): the commonest words, prefixes of three or four letters,
two common words together, a name. For each of four readers (Support Unit, a focal point, Advisory Network, anonymous)
each query is run:
- `search.find` as the search page runs it (every kind: count and first five, titles, snippets);
- the whole page through Django's test client (middleware, template);
- the baseline, in the same run: each kind's same `readable(user)` filtered by `icontains` on the same fields (each
  word in any field, every word), count and first five.

Run: .venv/bin/python bench/search.py             (embedded SQLite in a temporary folder)
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/coalition_bench_search .venv/bin/python bench/search.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("COALITION_VAR_DIR", tempfile.mkdtemp(prefix="coalition-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ENV", "development")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402

SCALE = 20
SEED = 19
RUNS = 3  # each query is timed this many times; every timing counts towards the percentiles


def _copy(row: Any, **changes: Any) -> Any:
    row = type(row).objects.get(pk=row.pk)
    row.pk = None
    row.id = None
    row._state.adding = True
    for name, value in changes.items():
        setattr(row, name, value)
    return row


def scale_up() -> dict[str, int]:
    """Copy every searchable record SCALE - 1 times; the number of records of each kind afterwards."""
    from coalition.directory.models import Organisation, Participation, Person, Position
    from coalition.documents.models import Document
    from coalition.donors.models import FundingActivity
    from coalition.library.models import Paragraph
    from coalition.meetings.models import Meeting
    from coalition.programme.models import Activity
    from coalition.response.models import Situation
    from coalition.statements.models import Statement

    copies = range(1, SCALE)
    made: Any  # each block below copies one model
    rows: list[Any]
    with transaction.atomic():
        for org in list(Organisation.objects.filter(participation__isnull=False).distinct()):
            steps = list(Participation.objects.filter(organisation=org))
            for n in copies:
                made = Organisation.objects.bulk_create([_copy(org, kind="other", name=f"{org.name} ({n})")])[0]
                Participation.objects.bulk_create([_copy(step, organisation=made) for step in steps])
        for person in list(Person.objects.filter(positions__isnull=False).distinct()):
            positions = list(Position.objects.filter(person=person))
            for n in copies:
                made = Person.objects.bulk_create([_copy(person, full_name=f"{person.full_name} {n}")])[0]
                Position.objects.bulk_create([_copy(p, person=made) for p in positions])
        rows = list(Activity.objects.all())
        Activity.objects.bulk_create([_copy(a, number=a.number + 1000 * n) for a in rows for n in copies])
        rows = list(Meeting.objects.all())
        Meeting.objects.bulk_create([_copy(m, uid=f"{m.uid}-{n}") for m in rows for n in copies])
        with_statement = set(Statement.objects.values_list("document_id", flat=True))
        for document in list(Document.objects.all()):
            made = Document.objects.bulk_create([_copy(document) for _n in copies])
            if document.pk in with_statement:
                statement = Statement.objects.get(document=document)
                Statement.objects.bulk_create(
                    [
                        _copy(statement, document=d, slug=f"{statement.slug}-{n}")
                        for n, d in zip(copies, made, strict=True)
                    ]
                )
        rows = list(Paragraph.objects.all())
        Paragraph.objects.bulk_create([_copy(p, position=p.position + 100_000 * n) for p in rows for n in copies])
        rows = list(Situation.objects.all())
        Situation.objects.bulk_create(
            [
                _copy(s, alert=None, status="closed", closed_at=s.opened_at, review="Copied for the benchmark.")
                for s in rows
                for n in copies
            ]
        )
        rows = list(FundingActivity.objects.all())
        FundingActivity.objects.bulk_create([_copy(a, identifier=f"{a.identifier}-{n}") for a in rows for n in copies])
    from coalition.core import search

    return search.rebuild()


def open_situations() -> None:
    """The demo opens no situation: three, members-only, for the coalition and public, before the copies."""
    from coalition.accounts.models import User
    from coalition.demo.loader import DEMO_DOMAIN
    from coalition.directory.models import Country
    from coalition.response import services
    from coalition.response.models import Situation

    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    texts = ("Mobile networks shut down during the vote", "Journalists detained", "Social media blocked")
    for country, classification, summary in zip(
        Country.objects.order_by("code")[:3], ("members", "coalition", "public"), texts, strict=True
    ):
        found = services.open_situation(
            by=support, country=country, title=f"Shutdown in {country.name}", summary=summary
        )
        Situation.objects.filter(pk=found.pk).update(classification=classification)


def typical_queries() -> list[str]:
    from coalition.core.models import SearchEntry

    counts: Counter[str] = Counter()
    for words in SearchEntry.objects.values_list("words", flat=True).iterator():
        counts.update(w for w in set(words.split()) if len(w) >= 5 and w.isalpha())
    rng = random.Random(SEED)
    common = [w for w, _n in counts.most_common(60)]
    middling = [w for w, _n in counts.most_common(600)[300:]]
    queries = rng.sample(common, 8) + [w[: rng.choice((3, 4))] for w in rng.sample(common, 4)]
    queries += [f"{a} {b}" for a, b in zip(rng.sample(common, 4), rng.sample(common, 4), strict=True)]
    queries += rng.sample(middling, 4)
    return queries


def baseline(user: Any, raw: str) -> int:
    """Each kind's readable(user), plain `icontains` on the same fields: count and first five."""
    from coalition.core import search

    terms = search.parse(raw).terms
    total = 0
    for kind in search.registered().values():
        rows = kind.readable(user)
        for term in terms:
            any_field = Q()
            for name in kind.fields:
                any_field |= Q(**{f"{name}__icontains": term})
            rows = rows.filter(any_field)
        rows = rows.distinct() if any("__" in name for name in kind.fields) else rows
        count = rows.count()
        if count:
            list(rows.select_related(*kind.related).order_by(*kind.order)[:5])
        total += count
    return total


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    from coalition.accounts.models import User
    from coalition.core import search
    from coalition.demo.loader import DEMO_DOMAIN, load_demo

    if connection.vendor == "postgresql":
        print(f"PostgreSQL database {connection.settings_dict['NAME']} (must exist and be disposable)")
    call_command("migrate", verbosity=0)
    load_demo()
    open_situations()
    start = time.perf_counter()
    counts = scale_up()
    print(f"scaled ×{SCALE} and indexed in {time.perf_counter() - start:.0f} s: {counts}")
    queries = typical_queries()
    print(f"{len(queries)} queries: {', '.join(queries)}")
    readers: dict[str, Any] = {
        login: User.objects.get(email=f"{login}@{DEMO_DOMAIN}") for login in ("support", "focal", "advisory")
    }
    readers["anonymous"] = AnonymousUser()
    all_engine: list[float] = []
    all_base: list[float] = []
    all_page: list[float] = []
    print(
        "| reader | search p50 | search p95 | page p95 | icontains p50 | icontains p95 | ratio p95 | results (mean) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, user in readers.items():
        client = Client()
        if name != "anonymous":
            client.force_login(user)
        engine, base, page, found = [], [], [], []
        client.get("/search/", {"q": queries[0]})  # the first request loads the URL map and templates: not timed
        for raw in queries:
            query = search.parse(raw)
            for _ in range(RUNS):
                engine.append(timed(lambda q=query, u=user: search.find(u, q)))  # type: ignore[misc]
                base.append(timed(lambda r=raw, u=user: baseline(u, r)))  # type: ignore[misc]
                page.append(timed(lambda r=raw, c=client: c.get("/search/", {"q": r})))  # type: ignore[misc]
            found.append(search.find(user, query).total)
        all_engine += engine
        all_base += base
        all_page += page
        print(
            f"| {name} | {statistics.median(engine):.0f} ms | {p95(engine):.0f} ms | {p95(page):.0f} ms | "
            f"{statistics.median(base):.0f} ms | {p95(base):.0f} ms | {p95(base) / p95(engine):.2f}× | "
            f"{statistics.mean(found):.0f} |"
        )
    print(
        f"| all | {statistics.median(all_engine):.0f} ms | {p95(all_engine):.0f} ms | {p95(all_page):.0f} ms | "
        f"{statistics.median(all_base):.0f} ms | {p95(all_base):.0f} ms | {p95(all_base) / p95(all_engine):.2f}× | |"
    )


if __name__ == "__main__":
    main()
