"""Optimistic locking: the customer's version (kehu.core.versioning), added without copying the
table on SQLite (kehu.core.migration_ops)."""

from django.db import migrations, models

from kehu.core.migration_ops import add_version_columns


class Migration(migrations.Migration):
    dependencies = [("customers", "0026_status_change_index")]

    operations = [
        add_version_columns(
            "customers",
            "customer",
            {"version": models.PositiveIntegerField(default=1, editable=False, verbose_name="version")},
        )
    ]
