"""The demo coalition built once per test process and put back, row for row, whenever a test needs it.

Loading the demo runs every app's services (positions, a rotation solved by OR-Tools, statements signed, the
library's reuse detection, an IATI import): about 2.5 seconds, which browser journeys paid before each test. A
snapshot of every table, taken once after a real `load_demo()`, is written back in a fraction of that: PostgreSQL
copies each table with COPY, SQLite re-inserts the rows it read. What the demo keeps outside the database is rebuilt
after each restore (the library's in-memory search index); Django's content-type cache is forgotten, since the
snapshot brings its own content types.

The snapshot belongs to the day it was taken (the demo's terms, deadlines and "this year's chair" are relative to
it), so a test that runs after midnight gets a freshly loaded one.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction

from coalition.core.tests.guards import past_guards
from coalition.demo.loader import DemoLogin, load_demo
from coalition.directory.queries import today
from coalition.library import indexing


@dataclass
class Snapshot:
    day: dt.date
    logins: list[DemoLogin]
    # table → its rows: COPY text for PostgreSQL, tuples for SQLite
    tables: dict[str, Any] = field(default_factory=dict)


_snapshot: Snapshot | None = None


def demo_tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _empty(tables: list[str]) -> None:
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, reset_sequences=False))


def tables_as_stored(tables: list[str]) -> dict[str, Any]:
    quote = connection.ops.quote_name
    read: dict[str, Any] = {}
    if connection.vendor == "postgresql":
        with closing(connection.connection.cursor()) as cursor:
            for table in tables:
                with cursor.copy(f"COPY {quote(table)} TO STDOUT") as copy:
                    read[table] = b"".join(bytes(chunk) for chunk in copy)
    else:
        # A connection of its own, without the type converters Django's has: the values exactly as stored.
        with closing(sqlite3.connect(connection.settings_dict["NAME"])) as plain:
            for table in tables:
                read[table] = plain.execute(f"SELECT * FROM {quote(table)}").fetchall()
    return read


def _write(tables: dict[str, Any]) -> None:
    raw = connection.connection
    quote = connection.ops.quote_name
    with closing(raw.cursor()) as cursor:
        for table, rows in tables.items():
            if not rows:
                continue
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {quote(table)} FROM STDIN") as copy:
                    copy.write(rows)
            else:
                marks = ", ".join("?" * len(rows[0]))
                cursor.executemany(f"INSERT INTO {quote(table)} VALUES ({marks})", rows)
    if connection.vendor == "postgresql":
        models = [model for model in apps.get_models(include_auto_created=True) if model._meta.db_table in tables]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)


def _rebuild_outside_the_database() -> None:
    ContentType.objects.clear_cache()
    indexing.rebuild()


def demo_coalition() -> list[DemoLogin]:
    """The demo coalition in the database, exactly as `load_demo()` leaves it, whatever the tables held before.

    The first call in a process (and the first on a new day) loads the demo for real and remembers every table;
    later calls put those rows back."""
    global _snapshot
    # The demo finishes its work once committed (the library's reuse detection): a snapshot taken inside a test's
    # transaction would miss it, and restoring in one would be rolled back before a live server could read it.
    assert not connection.in_atomic_block, "the demo snapshot is for transactional tests (transactional_db)"
    tables = demo_tables()
    fresh = _snapshot is None or _snapshot.day != today()
    with transaction.atomic():
        _empty(tables)
        # The content types went with the tables: ids cached before would be written as dangling keys (a
        # notification's subject type) and refused when the load commits.
        ContentType.objects.clear_cache()
        if fresh:
            logins = load_demo()
        else:
            assert _snapshot is not None
            # Approved minutes and the ledger refuse rows written after the fact; the snapshot's are the demo's own.
            with past_guards(connection, tables):
                _write(_snapshot.tables)
            logins = _snapshot.logins
    if fresh:
        _snapshot = Snapshot(day=today(), logins=logins, tables=tables_as_stored(tables))
    _rebuild_outside_the_database()
    return logins
