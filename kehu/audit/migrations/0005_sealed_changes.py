"""The change log's before/after values: personal values sealed (issue 19, kehu.core.sealed).

The hash chain covers the opened values, so every entry keeps its hash."""

from django.db import migrations

import kehu.core.sealed
from kehu.core.migration_ops import seal_rows


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_checkpoints")]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="changes",
            field=kehu.core.sealed.SealedJSONField(blank=True, default=dict, verbose_name="changes"),
        ),
        seal_rows("audit", "auditentry"),
    ]
