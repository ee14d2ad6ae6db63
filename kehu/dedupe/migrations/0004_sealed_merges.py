"""Merge records' snapshots sealed (issue 19, kehu.core.sealed)."""

from django.db import migrations

import kehu.core.sealed
from kehu.core.migration_ops import seal_rows


class Migration(migrations.Migration):
    dependencies = [("dedupe", "0003_merge_records")]

    operations = [
        migrations.AlterField(
            model_name="merge",
            name="merged_snapshot",
            field=kehu.core.sealed.SealedJSONField(
                default=dict, verbose_name="merged record", whole=True
            ),
        ),
        migrations.AlterField(
            model_name="merge",
            name="survivor_before",
            field=kehu.core.sealed.SealedJSONField(
                default=dict, verbose_name="survivor before", whole=True
            ),
        ),
        migrations.AlterField(
            model_name="merge",
            name="survivor_changes",
            field=kehu.core.sealed.SealedJSONField(
                blank=True, null=True, verbose_name="survivor changes", whole=True
            ),
        ),
        migrations.AlterField(
            model_name="merge",
            name="contacts",
            field=kehu.core.sealed.SealedJSONField(
                blank=True, default=dict, verbose_name="contacts", whole=True
            ),
        ),
        migrations.AlterField(
            model_name="merge",
            name="dropped",
            field=kehu.core.sealed.SealedJSONField(
                blank=True, default=dict, verbose_name="dropped rows", whole=True
            ),
        ),
        seal_rows("dedupe", "merge"),
    ]
