"""PostgreSQL: the per-kind pg_trgm GIN indexes also hold the owner and the team (btree_gin).

A rep's query for a common fragment ("wangj") matched thousands of documents per kind in the
trigram index, and each had to be read from the table to test its owner (~9,000 heap blocks at a
million customers). With the owner (and the team, for managers) as columns of the same GIN index,
the bitmap is the intersection of the trigrams and the caller's scope: only the caller's matches
are read. The engine compares them with a bigint (`owner = 12::bigint`): btree_gin's operator
classes have no cross-type operators, and an int4 literal would not use the index.

btree_gin is a contrib extension (trusted: no superuser needed). Nothing changes on SQLite.
"""

from django.db import migrations

KINDS = ("customer", "contact", "interaction")
FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    *(f"DROP INDEX IF EXISTS searchdoc_text_trgm_{kind}" for kind in KINDS),
    *(
        f"CREATE INDEX IF NOT EXISTS searchdoc_scope_trgm_{kind} ON core_searchdocument "
        f"USING gin (owner, team, text gin_trgm_ops) WHERE kind = '{kind}'"
        for kind in KINDS
    ),
]
BACKWARD = [
    *(f"DROP INDEX IF EXISTS searchdoc_scope_trgm_{kind}" for kind in KINDS),
    *(
        f"CREATE INDEX IF NOT EXISTS searchdoc_text_trgm_{kind} ON core_searchdocument "
        f"USING gin (text gin_trgm_ops) WHERE kind = '{kind}'"
        for kind in KINDS
    ),
]


def _run(statements):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0005_search_trgm_per_kind")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
