"""Close the gaps the first guards left: TRUNCATE of the ledger, and a head row anyone could rewrite or remove.

PostgreSQL refuses TRUNCATE of the ledger and of its head, DELETE of the head, a second head row, and any UPDATE of
the head other than the one `ledger.record` makes: one step forward, to the hash of the event just appended.
SQLite has no TRUNCATE (a `DELETE` without `WHERE` is its equivalent, and a DELETE trigger turns its fast path off,
so the trigger below refuses it row by row); it gets the same head rules and now refuses DELETE of events too.
The test suite empties tables between tests by lifting these triggers for that statement only
(`coalition.core.tests.guards`)."""

from django.db import migrations

PG_FORWARD = """
CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_append_only();
CREATE OR REPLACE FUNCTION core_ledgerhead_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.id <> 1 THEN
            RAISE EXCEPTION 'The audit ledger has one head';
        END IF;
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        IF NEW.id = OLD.id AND NEW.seq = OLD.seq + 1
           AND NEW.hash = (SELECT hash FROM core_auditevent WHERE seq = NEW.seq) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'The audit ledger head only moves one step forward, to the event appended';
    END IF;
    RAISE EXCEPTION 'The audit ledger head cannot be removed';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_ledgerhead_guard BEFORE INSERT OR UPDATE OR DELETE ON core_ledgerhead
    FOR EACH ROW EXECUTE FUNCTION core_ledgerhead_guard();
CREATE TRIGGER core_ledgerhead_no_truncate BEFORE TRUNCATE ON core_ledgerhead
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP TRIGGER IF EXISTS core_ledgerhead_guard ON core_ledgerhead;
DROP TRIGGER IF EXISTS core_ledgerhead_no_truncate ON core_ledgerhead;
DROP FUNCTION IF EXISTS core_ledgerhead_guard();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'The audit ledger is append-only'); END;""",
    """CREATE TRIGGER core_ledgerhead_one_row BEFORE INSERT ON core_ledgerhead WHEN NEW.id <> 1
    BEGIN SELECT RAISE(ABORT, 'The audit ledger has one head'); END;""",
    """CREATE TRIGGER core_ledgerhead_moves_forward BEFORE UPDATE ON core_ledgerhead
    WHEN NOT (NEW.id = OLD.id AND NEW.seq = OLD.seq + 1
              AND NEW.hash IS (SELECT hash FROM core_auditevent WHERE seq = NEW.seq))
    BEGIN SELECT RAISE(ABORT, 'The audit ledger head only moves one step forward, to the event appended'); END;""",
    """CREATE TRIGGER core_ledgerhead_no_delete BEFORE DELETE ON core_ledgerhead
    BEGIN SELECT RAISE(ABORT, 'The audit ledger head cannot be removed'); END;""",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "core_auditevent_no_delete",
        "core_ledgerhead_one_row",
        "core_ledgerhead_moves_forward",
        "core_ledgerhead_no_delete",
    )
]


def guards(forward: bool):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(PG_FORWARD if forward else PG_BACKWARD)
        elif vendor == "sqlite":
            for statement in SQLITE_FORWARD if forward else SQLITE_BACKWARD:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0002_ledger_head_and_guards")]

    operations = [migrations.RunPython(guards(True), guards(False))]
