"""Per-request worker CPU of signed-in pages (issue 20, page cost), measured in-process, with a cProfile of the same.

Production-like settings: DEBUG off (so Django's cached template loader), PostgreSQL, the demo coalition
(`migrate` + `load_demo`) in a disposable database. Each reader is signed in through the test client's `force_login`
by the project's own authentication backend, so the account is read as on a real request (with its second factor,
which every demo login has: the MFA middleware lets the request through). Each page is requested once to warm the
URL map, templates and any per-process cache, then `--runs` times; the CPU of one request is `time.process_time()`
around `Client.get` (the process's CPU, not wall time: the database's own work is not counted, as under gunicorn).

Run (the database must exist and be disposable; `setup` migrates it and loads the demo once):
    createdb -h 127.0.0.1 -U postgres coalition_bench_prof
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/coalition_bench_prof COALITION_VAR_DIR=/tmp/bench-prof
    .venv/bin/python bench/profile_pages.py setup --scale 20    # the load test's data: the demo scaled ×20
    .venv/bin/python bench/profile_pages.py measure --runs 30          # median / p90 CPU ms per page, as a table
    .venv/bin/python bench/profile_pages.py profile --page "library search" --reader official --top 40
    .venv/bin/python bench/profile_pages.py bytes    # each page's size on the wire, plain and gzipped
To compare with an earlier commit in the same machine state, run the same script from a worktree of it:
    git worktree add /tmp/prof-base <commit> && cp bench/profile_pages.py /tmp/prof-base/bench/
    (cd /tmp/prof-base && /work/main/.venv/bin/python bench/profile_pages.py measure --json)
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("COALITION_VAR_DIR", "/tmp/bench-prof")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ENV", "development")
os.environ["DEBUG"] = "false"  # the cached template loader, no debug context: as in production
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coalition_bench_prof")
os.environ.setdefault("DB_CONN_MAX_AGE", "600")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

READERS = ("official", "support")  # a member's official, Support Unit staff
SEARCH = "freedom of expression online"


def pages() -> dict[str, str]:
    """The addresses measured, found in the demo (the first meeting and activity of the latest programme)."""
    from coalition.meetings.models import Meeting
    from coalition.programme.models import Activity, Programme
    from coalition.statements.models import Statement

    programme = Programme.objects.order_by("-year").first()
    assert programme is not None, "load the demo first: bench/profile_pages.py setup"
    activity = Activity.objects.filter(objective__goal__programme=programme).order_by("code").first()
    assert activity is not None
    meeting = Meeting.objects.order_by("-starts_at").first()
    assert meeting is not None
    statement = Statement.objects.order_by("pk").first()  # a demo original (the scaled copies have no text)
    assert statement is not None
    return {
        "home": "/",
        "programme list": f"/programme/{programme.year}/",
        "programme activity": f"/programme/{programme.year}/activities/{activity.code}/",
        "library search": "/library/?" + f"q={SEARCH.replace(' ', '+')}",
        "meetings list": "/meetings/",
        "meeting page": f"/meetings/{meeting.pk}/",
        "people directory": "/people/",
        "people directory p3": "/people/?page=3",
        "members directory": "/members/",
        "notifications": "/notifications/",
        "statements list": "/statements/",
        "documents list": "/documents/",
        "response": "/response/",
        "audit log": "/audit/",
        "statement page": f"/statements/{statement.slug}/",
    }


def client_for(login: str) -> Client:
    from coalition.accounts.models import User
    from coalition.demo.loader import DEMO_DOMAIN

    client = Client()
    client.force_login(User.objects.get(email=f"{login}@{DEMO_DOMAIN}"))
    return client


def get(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response


def measure(runs: int, only: str = "") -> dict[str, dict[str, Any]]:
    figures: dict[str, dict[str, Any]] = {}
    chosen = {name.strip() for name in only.split(",") if name.strip()}
    for login in READERS:
        client = client_for(login)
        for name, url in pages().items():
            if chosen and name not in chosen:
                continue
            if client.get(url).status_code == 403:  # warm: URL map, templates, per-process caches
                continue  # a page this reader may not open (the audit log is the Support Unit's)
            queried: list[str] = []

            def counted(execute: Any, sql: str, *rest: Any, queried: list[str] = queried) -> Any:
                queried.append(sql)
                return execute(sql, *rest)

            with connection.execute_wrapper(counted):
                get(client, url)
            cpu = []
            for _ in range(runs):
                start = time.process_time()
                get(client, url)
                cpu.append((time.process_time() - start) * 1000)
            figures[f"{name} / {login}"] = {
                "median": statistics.median(cpu),
                "p90": statistics.quantiles(cpu, n=10)[-1],
                "queries": len(queried),
            }
    return figures


def wire_bytes() -> dict[str, tuple[int, int]]:
    """Each page's body as sent without and with `Accept-Encoding: gzip` (GZipMiddleware), in bytes."""
    sizes = {}
    for login in READERS:
        client = client_for(login)
        for name, url in pages().items():
            plain = get(client, url)
            packed = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
            assert packed.get("Content-Encoding") == "gzip", url
            sizes[f"{name} / {login}"] = (len(plain.content), len(packed.content))
    return sizes


def profile(page: str, login: str, runs: int, top: int) -> str:
    url = pages()[page]
    client = client_for(login)
    get(client, url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        get(client, url)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["setup", "measure", "profile", "bytes"])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--page", default="library search")
    parser.add_argument("--reader", default="official", choices=READERS)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--scale", type=int, default=1, help="setup: copy the demo's records this many times")
    parser.add_argument("--json", action="store_true", help="measure: print the figures as JSON")
    parser.add_argument("--only", default="", help="measure: these pages alone (names, comma-separated)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("note: not PostgreSQL; the issue's figures are on PostgreSQL", file=sys.stderr)
    if args.action == "setup":
        from coalition.demo.loader import load_demo

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)  # the manifest storage, as in production
        load_demo()
        if args.scale > 1:  # the load test's data: every searchable record copied as bench/search.py does
            import importlib.util

            spec = importlib.util.spec_from_file_location("bench_search", Path(__file__).with_name("search.py"))
            assert spec is not None and spec.loader is not None
            bench_search: Any = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(bench_search)
            bench_search.SCALE = args.scale
            print("scaled:", bench_search.scale_up())
            call_command("library_index", "--rebuild", verbosity=0)
        print("ready:", json.dumps(pages()))
    elif args.action == "measure":
        figures = measure(args.runs, args.only)
        if args.json:
            print(json.dumps(figures))
        else:
            print(f"load average {os.getloadavg()[0]:.2f}; {args.runs} requests each")
            print("| page / reader | CPU ms median | CPU ms p90 | queries |")
            print("|---|---|---|---|")
            for name, row in figures.items():
                print(f"| {name} | {row['median']:.1f} | {row['p90']:.1f} | {row['queries']} |")
    elif args.action == "bytes":
        print("| page / reader | bytes plain | bytes gzip | ratio |")
        print("|---|---|---|---|")
        for name, (plain, packed) in wire_bytes().items():
            print(f"| {name} | {plain:,} | {packed:,} | {plain / packed:.1f}× |")
    else:
        print(profile(args.page, args.reader, args.runs, args.top))


if __name__ == "__main__":
    main()
