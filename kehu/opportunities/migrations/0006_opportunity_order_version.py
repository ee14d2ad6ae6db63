"""Optimistic locking: opportunities' and orders' versions (kehu.core.versioning), added without
copying the tables on SQLite (kehu.core.migration_ops)."""

from django.db import migrations, models

from kehu.core.migration_ops import add_version_columns


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0005_stage_history_backfill")]

    operations = [
        add_version_columns(
            "opportunities",
            "opportunity",
            {"version": models.PositiveIntegerField(default=1, editable=False, verbose_name="version")},
        ),
        add_version_columns(
            "opportunities",
            "order",
            {"version": models.PositiveIntegerField(default=1, editable=False, verbose_name="version")},
        ),
    ]
