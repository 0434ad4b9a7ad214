"""The search index's table, and its engine's index: an FTS5 table kept by triggers on SQLite, a stored
`words_tsv = to_tsvector('simple', words)` with a GIN index on PostgreSQL (the column `core.search.engines` queries)."""

from django.db import migrations, models

SQLITE = [
    "CREATE VIRTUAL TABLE core_searchentry_fts USING fts5("
    "words, content='core_searchentry', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER core_searchentry_ai AFTER INSERT ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(rowid, words) VALUES (new.id, new.words); END",
    "CREATE TRIGGER core_searchentry_ad AFTER DELETE ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, words) VALUES ('delete', old.id, old.words); END",
    "CREATE TRIGGER core_searchentry_au AFTER UPDATE ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, words) VALUES ('delete', old.id, old.words); "
    "INSERT INTO core_searchentry_fts(rowid, words) VALUES (new.id, new.words); END",
]
SQLITE_UNDO = [
    "DROP TRIGGER core_searchentry_au",
    "DROP TRIGGER core_searchentry_ad",
    "DROP TRIGGER core_searchentry_ai",
    "DROP TABLE core_searchentry_fts",
]
POSTGRES = [
    # Stored, so a row's match never recomputes its vector, whichever index the planner picks.
    "ALTER TABLE core_searchentry ADD COLUMN words_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, words)) STORED",
    "CREATE INDEX core_searchentry_words_tsv ON core_searchentry USING gin (words_tsv)",
]
POSTGRES_UNDO = ["DROP INDEX core_searchentry_words_tsv", "ALTER TABLE core_searchentry DROP COLUMN words_tsv"]


def engine_index(forward: bool):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        vendor = schema_editor.connection.vendor
        statements = {"sqlite": (SQLITE, SQLITE_UNDO), "postgresql": (POSTGRES, POSTGRES_UNDO)}.get(vendor)
        if statements is None:
            raise RuntimeError(f"The search index has no engine for {vendor}")
        for sql in statements[0] if forward else statements[1]:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0004_ledger_merkle_tree")]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=64)),
                ("object_id", models.BigIntegerField()),
                ("text", models.TextField()),
                ("words", models.TextField()),
            ],
        ),
        migrations.AddConstraint(
            model_name="searchentry",
            constraint=models.UniqueConstraint(fields=("kind", "object_id"), name="core_search_entry_unique"),
        ),
        migrations.RunPython(engine_index(True), engine_index(False)),
    ]
