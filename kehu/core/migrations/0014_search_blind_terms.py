"""Issue 19: the search documents lose their plaintext copies of phones and e-mails (`phone_rev`,
`email`) and gain `tokens`, the blind terms of every encrypted value of their record
(kehu.core.search_index.tokens). The columns are dropped in place (no table copy); the documents'
text still holds the old values until search migration 0001 rebuilds the index."""

from typing import Any

from django.db import migrations, models

from kehu.core.migration_ops import add_text_columns

_DROPPED = ("phone_rev", "email")


def _drop(apps: Any, schema_editor: Any) -> None:
    table = schema_editor.quote_name("core_searchdocument")
    for column in _DROPPED:
        index = schema_editor._create_index_name("core_searchdocument", [column])
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {schema_editor.quote_name(column)}")


def _restore(apps: Any, schema_editor: Any) -> None:
    table = schema_editor.quote_name("core_searchdocument")
    lengths = {"phone_rev": 32, "email": 254}
    for column in _DROPPED:
        quoted = schema_editor.quote_name(column)
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN {quoted} varchar({lengths[column]}) "
            "NOT NULL DEFAULT ''"
        )
        index = schema_editor._create_index_name("core_searchdocument", [column])
        schema_editor.execute(
            f"CREATE INDEX {schema_editor.quote_name(index)} ON {table} ({quoted})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0013_two_factor_roles"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(_drop, _restore)],
            state_operations=[
                migrations.RemoveField(model_name="searchdocument", name=name) for name in _DROPPED
            ],
        ),
        add_text_columns("core", "searchdocument", {"tokens": models.TextField(blank=True)}),
    ]
