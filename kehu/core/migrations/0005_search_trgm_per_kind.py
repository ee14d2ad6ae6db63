"""PostgreSQL: one pg_trgm GIN index per document kind instead of one over all documents.

Every substring query asks for one kind at a time (its hits and its capped count), and a GIN
bitmap scan reads the whole posting lists of the query's trigrams before LIMIT can stop anything:
with one index per kind a query reads each posting list once over its three kinds, not three
times. Nothing changes on SQLite.
"""

from django.db import migrations

KINDS = ("customer", "contact", "interaction")
FORWARD = [
    "DROP INDEX IF EXISTS searchdoc_text_trgm",
    *(
        f"CREATE INDEX IF NOT EXISTS searchdoc_text_trgm_{kind} ON core_searchdocument "
        f"USING gin (text gin_trgm_ops) WHERE kind = '{kind}'"
        for kind in KINDS
    ),
]
BACKWARD = [
    *(f"DROP INDEX IF EXISTS searchdoc_text_trgm_{kind}" for kind in KINDS),
    "CREATE INDEX IF NOT EXISTS searchdoc_text_trgm ON core_searchdocument "
    "USING gin (text gin_trgm_ops)",
]


def _run(statements):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0004_search_scope_tokens")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
