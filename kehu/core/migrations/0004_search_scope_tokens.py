"""Search indexes carry each document's scope (kind, owner, team, status) as tokens.

SQLite: search_fts becomes a contentless trigram table over (text, scope), search_bigram a
contentless detail=none table of CJK bigrams and scope tokens; both are refilled from the stored
documents. PostgreSQL: `grams` gains the scope words. The owner/team/status B-tree indexes go: the
substring indexes filter by scope themselves (see kehu.core.search_index).
"""

from django.db import migrations, models

SQLITE_TABLES = [
    "DROP TABLE IF EXISTS search_fts",
    "DROP TABLE IF EXISTS search_bigram",
    "CREATE VIRTUAL TABLE search_fts USING fts5(text, scope, content='', tokenize='trigram')",
    "CREATE VIRTUAL TABLE search_bigram USING fts5(tokens, content='', detail='none')",
]
SQLITE_OLD_TABLES = [
    "DROP TABLE IF EXISTS search_fts",
    "DROP TABLE IF EXISTS search_bigram",
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "text, content='core_searchdocument', content_rowid='id', tokenize='trigram')",
    "CREATE VIRTUAL TABLE search_bigram USING fts5(grams, content='', tokenize='unicode61')",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    from kehu.core.search_index import search_index_refill

    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_TABLES:
            schema_editor.execute(sql)
    search_index_refill()


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_OLD_TABLES:
            schema_editor.execute(sql)
        schema_editor.execute("INSERT INTO search_fts(search_fts) VALUES('rebuild')")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_search_engines")]

    operations = [
        migrations.AlterField(
            model_name="searchdocument",
            name="owner",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="searchdocument",
            name="team",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="searchdocument",
            name="status",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.RunPython(forward, backward),
    ]
