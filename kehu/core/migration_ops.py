"""Migration helpers that keep upgrades of large tables fast.

SQLite's schema editor copies the whole table to add a NOT NULL column with a default; at a
million customers that is minutes of downtime. `add_text_columns` adds text columns with
ALTER TABLE ... ADD COLUMN ... DEFAULT '' on both engines (PostgreSQL 11+ stores the default
without rewriting), and their indexes, while the migration state gets ordinary AddFields.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def _add_columns(
    app_label: str,
    model_name: str,
    fields: dict[str, Any],
    default_sql: str,
    *,
    with_check: bool = False,
) -> migrations.SeparateDatabaseAndState:
    """ALTER TABLE ... ADD COLUMN ... NOT NULL DEFAULT <default_sql> for each field (and its
    index), undone by dropping them by name; the migration state gets ordinary AddFields."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        table = model._meta.db_table
        for name, template in fields.items():
            field = template.clone()
            field.set_attributes_from_name(name)
            field.model = model
            quoted = schema_editor.quote_name(field.column)
            kind = field.db_type(schema_editor.connection)
            check = field.db_parameters(schema_editor.connection).get("check")
            if with_check and check:
                kind = f"{kind} CHECK ({check})"
            schema_editor.execute(
                f"ALTER TABLE {schema_editor.quote_name(table)} "
                f"ADD COLUMN {quoted} {kind} NOT NULL DEFAULT {default_sql}"
            )
            if field.db_index:
                schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    def backwards(apps: Any, schema_editor: Any) -> None:
        # The state here is the one before the fields were added (RunPython inside
        # SeparateDatabaseAndState), so the model does not know them: drop by name.
        model = apps.get_model(app_label, model_name)
        table = model._meta.db_table
        for name, template in fields.items():
            field = template.clone()
            field.set_attributes_from_name(name)
            if field.db_index:  # SQLite refuses to drop an indexed column
                index = schema_editor._create_index_name(table, [field.column])
                schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")
            schema_editor.execute(
                f"ALTER TABLE {schema_editor.quote_name(table)} "
                f"DROP COLUMN {schema_editor.quote_name(field.column)}"
            )

    return migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RunPython(forwards, backwards)],
        state_operations=[
            migrations.AddField(model_name=model_name, name=name, field=field)
            for name, field in fields.items()
        ],
    )


def add_text_columns(
    app_label: str, model_name: str, fields: dict[str, models.CharField[Any, Any]]
) -> migrations.SeparateDatabaseAndState:
    return _add_columns(app_label, model_name, fields, "''")


def add_json_object_columns(
    app_label: str, model_name: str, fields: dict[str, models.JSONField[Any, Any]]
) -> migrations.SeparateDatabaseAndState:
    """add_text_columns for JSON objects (default {}): no table copy on SQLite either."""
    return _add_columns(app_label, model_name, fields, "'{}'")


def add_version_columns(
    app_label: str, model_name: str, fields: dict[str, models.PositiveIntegerField[Any, Any]]
) -> migrations.SeparateDatabaseAndState:
    """add_text_columns for a version counter (default 1, kehu.core.versioning): no table copy
    on SQLite either; its `>= 0` check comes along."""
    return _add_columns(app_label, model_name, fields, "1", with_check=True)
