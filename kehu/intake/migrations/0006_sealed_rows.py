"""Import rows' cells, before values and messages, and a run's dry-run preview, sealed (issue 19,
kehu.core.sealed)."""

from django.db import migrations

import kehu.core.sealed
from kehu.core.migration_ops import seal_rows


class Migration(migrations.Migration):
    dependencies = [("intake", "0005_importrun_kind")]

    operations = [
        migrations.AlterField(
            model_name="importrun",
            name="preview",
            field=kehu.core.sealed.SealedJSONField(blank=True, default=dict, whole=True),
        ),
        migrations.AlterField(
            model_name="importrow",
            name="errors",
            field=kehu.core.sealed.SealedJSONField(blank=True, default=dict, whole=True),
        ),
        migrations.AlterField(
            model_name="importrow",
            name="raw",
            field=kehu.core.sealed.SealedJSONField(blank=True, default=dict, whole=True),
        ),
        migrations.AlterField(
            model_name="importrow",
            name="before",
            field=kehu.core.sealed.SealedJSONField(blank=True, null=True, whole=True),
        ),
        migrations.AlterField(
            model_name="importrow",
            name="warnings",
            field=kehu.core.sealed.SealedJSONField(blank=True, default=dict, whole=True),
        ),
        seal_rows("intake", "importrun"),
        seal_rows("intake", "importrow"),
    ]
