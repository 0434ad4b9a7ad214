"""Verifying a statement against a ledger of a million events (issue 16, item 5).

Builds the ledger fast: 1,000,000 filler events hashed into a valid chain in Python and written in bulk (COPY on
PostgreSQL, executemany on SQLite), then a statement signed by 20 members and published through the services (so
its events sit at the end of the ledger, as a fresh statement's do), then one checkpoint over everything. Measures
`statements.services.verify` — what the verification page and API run on every request: the statement's events,
their inclusion proofs from O(log n) stored tree nodes, the checkpoint's signature — 200 times, and, as the
baseline in the same run, one walk of the whole chain (what the page did before, every time the head moved).

Run: .venv/bin/python bench/ledger.py [--events N]            (SQLite in a temporary folder)
     COALITION_VAR_DIR=<that folder> .venv/bin/python bench/ledger.py --measure-only        (measure it again)
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/coalition_bench_ledger .venv/bin/python bench/ledger.py
     (the PostgreSQL database must exist and be disposable: the ledger's guards are lifted to write it in bulk)
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("COALITION_VAR_DIR", tempfile.mkdtemp(prefix="coalition-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ENV", "development")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["TASKS_BACKEND"] = "immediate"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

SIGNATORIES = 20
RUNS = 200
COLUMNS = (
    "seq, at, action, actor_id, actor_label, on_behalf_of, subject_type, subject_id, subject_label, data, ip, "
    "prev_hash, hash"
)


def fill(events: int) -> float:
    """`events` filler events with a valid chain, written in bulk; returns the seconds taken."""
    from coalition.core import ledger
    from coalition.core.models import AuditEvent
    from coalition.core.tests.guards import lift_ledger_guards

    started = time.perf_counter()
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    previous = ledger.GENESIS
    with transaction.atomic():
        lift_ledger_guards(connection)  # the head jumps a million steps at once; this database is disposable
        rows = []
        for seq in range(1, events + 1):
            event = AuditEvent(
                seq=seq,
                at=at + dt.timedelta(seconds=seq),
                action="auth.login_failed",
                actor_label="",
                on_behalf_of="",
                subject_type="",
                subject_id="",
                subject_label="",
                data={"email": f"someone-{seq % 977}@example.org"},
                ip="192.0.2.1",
                prev_hash=previous,
            )
            event.hash = previous = ledger.compute_hash(event)
            rows.append(
                (
                    seq,
                    event.at,
                    event.action,
                    None,
                    "",
                    "",
                    "",
                    "",
                    "",
                    json.dumps(event.data),
                    event.ip,
                    event.prev_hash,
                    event.hash,
                )
            )
            if len(rows) == 50_000 or seq == events:
                write(rows)
                rows = []
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_ledgerhead SET seq = %s, hash = %s WHERE id = 1", [events, previous])
    return time.perf_counter() - started


def write(rows: list[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join("\\N" if v is None else str(v).replace("\\", "\\\\") for v in row) + "\n")
            with cursor.cursor.copy(f"COPY core_auditevent ({COLUMNS}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
        else:
            marks = ", ".join(["%s"] * 13)
            cursor.executemany(f"INSERT INTO core_auditevent ({COLUMNS}) VALUES ({marks})", rows)


def statement_signed_by_many() -> object:
    from coalition.accounts.models import User
    from coalition.core.policy import Role
    from coalition.directory.services import load_countries
    from coalition.directory.tests.factories import person_with_role
    from coalition.statements import services
    from coalition.statements.tests.test_services import draft, member, open_round, past_deadline, sign

    load_countries()
    support = User.objects.create_user("bench-support@example.org", person=person_with_role(Role.SUPPORT_UNIT))
    statement = draft(support)
    freeze = open_round(statement, support)
    for code in [
        "AR",
        "AT",
        "AU",
        "BE",
        "BG",
        "CA",
        "CH",
        "CL",
        "CR",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GB",
        "GH",
        "IE",
        "IT",
    ][:SIGNATORIES]:
        sign(freeze, member(code))
    past_deadline(freeze)
    return services.publish(statement=statement, by=support)  # its checkpoint is issued once this commits


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--measure-only", action="store_true", help="measure a ledger an earlier run built")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from coalition.core import checkpoints, ledger
    from coalition.core.models import AuditEvent, LedgerCheckpoint
    from coalition.statements import services
    from coalition.statements.models import Statement

    if not args.measure_only:
        if AuditEvent.objects.exists():
            sys.exit("The database already holds a ledger: give this benchmark a fresh one (or --measure-only).")
        print(f"{connection.vendor}: writing {args.events:,} events …", file=sys.stderr)
        filled = fill(args.events)
        started = time.perf_counter()
        statement_signed_by_many()
        published = time.perf_counter() - started
        print(f"  filled in {filled:.0f} s; published and checkpointed in {published:.0f} s", file=sys.stderr)
    checkpoint = LedgerCheckpoint.objects.get()
    total = AuditEvent.objects.count()
    statement = Statement.objects.get()
    result = services.verify(statement)
    assert result.ok and result.pending == 0 and len(result.responses) == SIGNATORIES, result.problems
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        services.verify(Statement.objects.get(pk=statement.pk))
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p50, p95 = statistics.median(times), times[int(RUNS * 0.95) - 1]

    started = time.perf_counter()
    chain = ledger.verify_chain()
    walk = (time.perf_counter() - started) * 1000
    assert chain.ok, chain.reason
    nodes = checkpoints.LedgerTreeNode.objects.count()

    print(f"| events | {total:,} (checkpoint at {checkpoint.size:,}; {nodes:,} tree nodes stored) |")
    what = f"verify a statement, {SIGNATORIES} signatures + publication, {RUNS} runs"
    print(f"| {what} | p50 {p50:.1f} ms, p95 {p95:.1f} ms |")
    print(f"| baseline: walk the whole chain once | {walk:,.0f} ms |")
    print(f"| ratio p95 / baseline | {p95 / walk:.5f} ({walk / p95:,.0f}× faster) |")


if __name__ == "__main__":
    main()
