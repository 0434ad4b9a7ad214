"""The engine behind the index, chosen by the database: PostgreSQL full-text search ('simple' configuration: no
stemming, no stop words) or SQLite FTS5 (unicode61, diacritics kept). Both read the same pre-split words
(`query.normalise`) and both match a term as the prefix of a word (a one-letter term as a whole word), so they find
the same records; only ranking may differ. An engine answers with SQL for the candidate ids of one kind, which the
caller intersects with the kind's `readable(user)` queryset in the same query."""

from __future__ import annotations

from django.db import connection

from coalition.core.search.query import Query


class Engine:
    def matches(self, query: Query) -> tuple[str, list[str]]:
        """A condition on `core_searchentry` rows: their words match `query`."""
        raise NotImplementedError

    def candidates(self, kind: str, query: Query) -> tuple[str, list[str]]:
        where, params = self.matches(query)
        # `where` is the engine's constant text; the reader's words are in `params`.
        return f"SELECT object_id FROM core_searchentry WHERE kind = %s AND {where}", [kind, *params]  # noqa: S608

    def kinds(self, query: Query) -> tuple[str, list[str]]:
        where, params = self.matches(query)
        return f"SELECT DISTINCT kind FROM core_searchentry WHERE {where}", params  # noqa: S608


class PostgresEngine(Engine):
    # `words_tsv` is the stored to_tsvector('simple', words) the migration adds, with its GIN index.
    def matches(self, query: Query) -> tuple[str, list[str]]:
        tsquery = " & ".join(f"'{term}'" if len(term) == 1 else f"'{term}':*" for term in query.terms)
        return "words_tsv @@ to_tsquery('simple'::regconfig, %s)", [tsquery]


class SQLiteEngine(Engine):
    def matches(self, query: Query) -> tuple[str, list[str]]:
        match = " AND ".join(f'"{term}"' if len(term) == 1 else f'"{term}"*' for term in query.terms)
        return "id IN (SELECT rowid FROM core_searchentry_fts WHERE core_searchentry_fts MATCH %s)", [match]


def engine() -> Engine:
    return PostgresEngine() if connection.vendor == "postgresql" else SQLiteEngine()
