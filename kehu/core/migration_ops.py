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


def encrypt_columns(
    app_label: str,
    model_name: str,
    fields: dict[str, models.Field[Any, Any]],
    *,
    remove_indexes: tuple[str, ...] = (),
) -> migrations.SeparateDatabaseAndState:
    """Turn columns into kehu.core.crypto.EncryptedCharFields without copying the table: drop
    their single-column indexes (useless on ciphertext), widen them to text on PostgreSQL
    (varchar -> text rewrites nothing; SQLite ignores lengths), and give the state the new
    fields. The rows are encrypted afterwards by `encrypt_rows` (in batches)."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        table = model._meta.db_table
        columns = {model._meta.get_field(name).column for name in fields}
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        for name, info in constraints.items():
            if (
                info.get("index")
                and not info.get("unique")
                and not info.get("primary_key")
                and len(info["columns"]) == 1
                and info["columns"][0] in columns
            ):
                schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")
        if connection.vendor == "postgresql":
            for column in sorted(columns):
                schema_editor.execute(
                    f"ALTER TABLE {schema_editor.quote_name(table)} "
                    f"ALTER COLUMN {schema_editor.quote_name(column)} TYPE text"
                )

    state: list[Any] = [
        migrations.RemoveIndex(model_name=model_name, name=name) for name in remove_indexes
    ]
    state += [
        migrations.AlterField(model_name=model_name, name=name, field=field)
        for name, field in fields.items()
    ]
    return migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RunPython(forwards, migrations.RunPython.noop)],
        state_operations=state,
    )


def encrypt_rows(app_label: str, model_name: str) -> migrations.RunPython:
    """Encrypt the model's personal columns and fill their blind indexes, 1,000 rows a batch."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        from .crypto_batches import reencrypt_model

        model = apps.get_model(app_label, model_name)
        reencrypt_model(model, using=schema_editor.connection)

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)


def seal_rows(app_label: str, model_name: str) -> migrations.RunPython:
    """Seal the personal values of the model's SealedJSONFields (kehu.core.sealed) that were
    written in clear before, 1,000 rows a batch."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        from .sealed import reseal_model

        model = apps.get_model(app_label, model_name)
        reseal_model(model, using=schema_editor.connection)

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)
