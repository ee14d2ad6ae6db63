"""Optimistic locking: the contact's version (kehu.core.versioning), added without copying the
table on SQLite (kehu.core.migration_ops)."""

from django.db import migrations, models

from kehu.core.migration_ops import add_version_columns


class Migration(migrations.Migration):
    dependencies = [("contacts", "0004_custom_fields")]

    operations = [
        add_version_columns(
            "contacts",
            "contact",
            {"version": models.PositiveIntegerField(default=1, editable=False, verbose_name="version")},
        )
    ]
