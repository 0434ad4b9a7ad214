"""Emptying tables between tests past the ledger's database guards.

Django's test flush empties every table with TRUNCATE (PostgreSQL) or DELETE (SQLite), which the ledger's triggers
refuse, as they would refuse anyone. For the flush only, the triggers of the tables being emptied are lifted in the
same transaction and put back after it: on PostgreSQL by disabling and re-enabling them, on SQLite (which cannot
disable a trigger) by dropping them and creating them again from their own stored SQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections


def _guarded(connection: Any, tables: list[str]) -> list[tuple[str, str, str]]:
    """(table, trigger name, its SQL) for the user-defined triggers on `tables`."""
    if not tables:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT c.relname, '', '' FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND c.relname = ANY(%s)",
                [list(tables)],
            )
        else:
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                f"SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})",
                list(tables),
            )
        return list(cursor.fetchall())


def _lift_and_put_back(connection: Any, guarded: list[tuple[str, str, str]]) -> tuple[list[str], list[str]]:
    """The statements that lift the `guarded` triggers and those that put them back."""
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        names = sorted({table for table, _, _ in guarded})
        lift = [f"ALTER TABLE {quote(table)} DISABLE TRIGGER USER;" for table in names]
        put_back = [f"ALTER TABLE {quote(table)} ENABLE TRIGGER USER;" for table in names]
    else:
        lift = [f"DROP TRIGGER {quote(name)};" for _, name, _ in guarded]
        put_back = [f"{sql};" for _, _, sql in guarded]
    return lift, put_back


def _past_guards(original: Callable[..., list[str]]) -> Callable[..., list[str]]:
    def sql_flush(self: Any, style: Any, tables: Any, **options: Any) -> list[str]:
        statements = original(self, style, tables, **options)
        guarded = _guarded(self.connection, list(tables)) if statements else []
        if not guarded:
            return statements
        lift, put_back = _lift_and_put_back(self.connection, guarded)
        return lift + statements + put_back

    return sql_flush


@contextmanager
def past_guards(connection: Any, tables: list[str]) -> Iterator[None]:
    """Write rows into `tables` as they were before, past their triggers (inside the caller's transaction): how the
    demo snapshot puts back approved minutes and the ledger, which no one else may write that way."""
    lift, put_back = _lift_and_put_back(connection, _guarded(connection, tables))
    with connection.cursor() as cursor:
        for statement in lift:
            cursor.execute(statement)
        yield
        if put_back and connection.vendor == "postgresql":
            # The rows written leave their foreign-key checks pending, and PostgreSQL alters no table with pending
            # trigger events: the checks are made now, before the guards go back on.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in put_back:
            cursor.execute(statement)


@contextmanager
def flush_past_ledger_guards() -> Iterator[None]:
    kinds = {type(connections[alias].ops) for alias in connections}
    originals = [(operations, operations.sql_flush) for operations in kinds]
    for operations, original in originals:
        operations.sql_flush = _past_guards(original)  # type: ignore[method-assign]
    try:
        yield
    finally:
        for operations, original in originals:
            operations.sql_flush = original  # type: ignore[method-assign]


def lift_ledger_guards(connection: Any) -> None:
    """Lift the ledger's triggers inside the current transaction (rolled back with it), as an intruder with raw SQL
    access to the database might: for tests that show tampering is detected all the same."""
    tables = ["core_auditevent", "core_ledgerhead", "core_ledgertreenode", "core_ledgercheckpoint"]
    with connection.cursor() as cursor:
        for table, name, _ in _guarded(connection, tables):
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} DISABLE TRIGGER USER")
            else:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
