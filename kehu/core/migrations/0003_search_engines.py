"""Substring indexes for search, per database engine.

SQLite: an FTS5 trigram table over core_searchdocument.text (external content) for queries of
three or more characters, and a contentless FTS5 table of CJK bigrams for one- and two-character
Chinese queries. PostgreSQL: pg_trgm GIN over text, and a GIN full-text index over the bigrams.
pg_trgm only sees CJK characters when the database's LC_CTYPE is UTF-8 (check kehu.W001).
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "text, content='core_searchdocument', content_rowid='id', tokenize='trigram')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_bigram USING fts5("
    "grams, content='', tokenize='unicode61')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS search_bigram", "DROP TABLE IF EXISTS search_fts"]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS searchdoc_text_trgm ON core_searchdocument "
    "USING gin (text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS searchdoc_grams_fts ON core_searchdocument "
    "USING gin (to_tsvector('simple'::regconfig, grams))",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS searchdoc_grams_fts",
    "DROP INDEX IF EXISTS searchdoc_text_trgm",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0002_searchdocument")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
