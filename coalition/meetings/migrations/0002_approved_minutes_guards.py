"""Approved minutes guarded like the ledger (issue 16, item 6), and the attendance an approval freezes.

Database triggers refuse, even to raw SQL: any UPDATE of a minutes revision (each save is a new one); INSERT or DELETE
of a revision of approved minutes; UPDATE or DELETE of an approval; and, on PostgreSQL, TRUNCATE of either table once
any minutes are approved. The test suite empties tables past them (`coalition.core.tests.guards`)."""

from django.db import migrations, models

PG_FORWARD = """
CREATE OR REPLACE FUNCTION meetings_minutesrevision_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'A minutes revision is never changed: save a new one';
    ELSIF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM meetings_agendaitem i JOIN meetings_minutesapproval a
                    ON a.minutes_of_id = i.meeting_id WHERE i.id = NEW.item_id) THEN
            RAISE EXCEPTION 'These minutes are approved: they take no new revision';
        END IF;
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM meetings_agendaitem i JOIN meetings_minutesapproval a
                    ON a.minutes_of_id = i.meeting_id WHERE i.id = OLD.item_id) THEN
        RAISE EXCEPTION 'Approved minutes cannot be removed';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER meetings_minutesrevision_guard BEFORE INSERT OR UPDATE OR DELETE ON meetings_minutesrevision
    FOR EACH ROW EXECUTE FUNCTION meetings_minutesrevision_guard();
CREATE OR REPLACE FUNCTION meetings_minutesapproval_guard() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'An approval of minutes is never changed nor removed';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER meetings_minutesapproval_guard BEFORE UPDATE OR DELETE ON meetings_minutesapproval
    FOR EACH ROW EXECUTE FUNCTION meetings_minutesapproval_guard();
CREATE OR REPLACE FUNCTION meetings_approved_minutes_no_truncate() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM meetings_minutesapproval) THEN
        RAISE EXCEPTION 'Approved minutes cannot be removed';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER meetings_minutesrevision_no_truncate BEFORE TRUNCATE ON meetings_minutesrevision
    FOR EACH STATEMENT EXECUTE FUNCTION meetings_approved_minutes_no_truncate();
CREATE TRIGGER meetings_minutesapproval_no_truncate BEFORE TRUNCATE ON meetings_minutesapproval
    FOR EACH STATEMENT EXECUTE FUNCTION meetings_approved_minutes_no_truncate();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS meetings_minutesrevision_guard ON meetings_minutesrevision;
DROP TRIGGER IF EXISTS meetings_minutesapproval_guard ON meetings_minutesapproval;
DROP TRIGGER IF EXISTS meetings_minutesrevision_no_truncate ON meetings_minutesrevision;
DROP TRIGGER IF EXISTS meetings_minutesapproval_no_truncate ON meetings_minutesapproval;
DROP FUNCTION IF EXISTS meetings_minutesrevision_guard();
DROP FUNCTION IF EXISTS meetings_minutesapproval_guard();
DROP FUNCTION IF EXISTS meetings_approved_minutes_no_truncate();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER meetings_minutesrevision_no_update BEFORE UPDATE ON meetings_minutesrevision
    BEGIN SELECT RAISE(ABORT, 'A minutes revision is never changed: save a new one'); END;""",
    """CREATE TRIGGER meetings_minutesrevision_approved_no_insert BEFORE INSERT ON meetings_minutesrevision
    WHEN EXISTS (SELECT 1 FROM meetings_agendaitem i JOIN meetings_minutesapproval a ON a.minutes_of_id = i.meeting_id
                 WHERE i.id = NEW.item_id)
    BEGIN SELECT RAISE(ABORT, 'These minutes are approved: they take no new revision'); END;""",
    """CREATE TRIGGER meetings_minutesrevision_approved_no_delete BEFORE DELETE ON meetings_minutesrevision
    WHEN EXISTS (SELECT 1 FROM meetings_agendaitem i JOIN meetings_minutesapproval a ON a.minutes_of_id = i.meeting_id
                 WHERE i.id = OLD.item_id)
    BEGIN SELECT RAISE(ABORT, 'Approved minutes cannot be removed'); END;""",
    """CREATE TRIGGER meetings_minutesapproval_no_update BEFORE UPDATE ON meetings_minutesapproval
    BEGIN SELECT RAISE(ABORT, 'An approval of minutes is never changed nor removed'); END;""",
    """CREATE TRIGGER meetings_minutesapproval_no_delete BEFORE DELETE ON meetings_minutesapproval
    BEGIN SELECT RAISE(ABORT, 'An approval of minutes is never changed nor removed'); END;""",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "meetings_minutesrevision_no_update",
        "meetings_minutesrevision_approved_no_insert",
        "meetings_minutesrevision_approved_no_delete",
        "meetings_minutesapproval_no_update",
        "meetings_minutesapproval_no_delete",
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
    dependencies = [("meetings", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="minutesapproval",
            name="attendance",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(guards(True), guards(False)),
    ]
