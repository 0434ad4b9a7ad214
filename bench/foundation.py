"""Benchmarks for the foundation: the cost of the access policy and of the hash-chained ledger.

Each figure is a ratio against a baseline measured in the same run on the same database:
- visible_to on 20,000 people (a member official's view, with restricted records and audiences) vs the plain query;
- ledger.record (locked head row, SHA-256, insert) vs a plain insert of a row of similar size;
- verify_chain over every event, reported as events per second.

Run: .venv/bin/python bench/foundation.py            (embedded SQLite in a temporary folder)
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/coalition_bench .venv/bin/python bench/foundation.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("COALITION_VAR_DIR", tempfile.mkdtemp(prefix="coalition-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ENV", "development")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

PEOPLE = 20_000
EVENTS = 2_000


def best_of(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    if connection.vendor == "postgresql":
        from django.db import connections

        settings_dict = connections["default"].settings_dict
        print(f"PostgreSQL database {settings_dict['NAME']} (must exist and be disposable)")
    call_command("migrate", verbosity=0)
    from coalition.accounts.models import User
    from coalition.core import ledger, policy
    from coalition.core.models import Audience, AudienceMember, AuditEvent
    from coalition.directory.models import Person
    from coalition.directory.tests.factories import person_with_role

    if Person.objects.count() < PEOPLE:
        audiences = [Audience.objects.create(name=f"audience {i}") for i in range(50)]
        AudienceMember.objects.bulk_create(
            AudienceMember(audience=a, principal=f"org:{i}") for i, a in enumerate(audiences)
        )
        kinds = ["public", "coalition", "members", "restricted"]
        Person.objects.bulk_create(
            Person(
                full_name=f"Person {i}",
                classification=kinds[i % 4],
                audience=audiences[i % 50] if kinds[i % 4] == "restricted" else None,
            )
            for i in range(PEOPLE)
        )
    official = User.objects.filter(email="bench-official@example.org").first()
    if official is None:
        from coalition.core.policy import Role

        official = User.objects.create_user("bench-official@example.org", person=person_with_role(Role.MEMBER_OFFICIAL))

    plain = best_of(7, lambda: list(Person.objects.values_list("pk", flat=True)))
    filtered = best_of(7, lambda: list(policy.visible_to(official, Person).values_list("pk", flat=True)))
    visible = policy.visible_to(official, Person).count()

    def plain_inserts() -> None:
        with transaction.atomic():
            for i in range(EVENTS):
                Audience.objects.create(name=f"baseline {i}", description="x" * 120)

    def ledger_appends() -> None:
        with transaction.atomic():
            for i in range(EVENTS):
                ledger.record("bench.event", data={"i": i, "note": "x" * 60})

    insert_time = best_of(1, plain_inserts)
    append_time = best_of(1, ledger_appends)
    total_events = AuditEvent.objects.count()
    verify_time = best_of(3, ledger.verify_chain)

    rows = [
        (
            "visible_to, member official, 20k people",
            f"{filtered * 1000:.1f} ms",
            f"{plain * 1000:.1f} ms",
            f"{filtered / plain:.2f}×",
            f"{visible} of {PEOPLE} visible",
        ),
        (
            f"ledger.record × {EVENTS}",
            f"{append_time * 1000:.0f} ms",
            f"{insert_time * 1000:.0f} ms",
            f"{append_time / insert_time:.2f}×",
            f"{EVENTS / append_time:,.0f} events/s",
        ),
        (
            f"verify_chain over {total_events} events",
            f"{verify_time * 1000:.0f} ms",
            "—",
            "—",
            f"{total_events / verify_time:,.0f} events/s",
        ),
    ]
    print(f"database: {connection.vendor}")
    print(f"{'measure':<42} {'time':>10} {'baseline':>10} {'ratio':>7}  note")
    for name, t, base, ratio, note in rows:
        print(f"{name:<42} {t:>10} {base:>10} {ratio:>7}  {note}")


if __name__ == "__main__":
    main()
