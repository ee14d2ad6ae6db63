"""Held changes' payloads and diffs: personal values sealed (issue 19, kehu.core.sealed)."""

from django.db import migrations

import kehu.core.sealed
from kehu.core.migration_ops import seal_rows


class Migration(migrations.Migration):
    dependencies = [("review", "0003_tag_request")]

    operations = [
        migrations.AlterField(
            model_name="reviewitem",
            name="payload",
            field=kehu.core.sealed.SealedJSONField(default=dict, verbose_name="payload"),
        ),
        migrations.AlterField(
            model_name="reviewitem",
            name="diff",
            field=kehu.core.sealed.SealedJSONField(default=list, verbose_name="changes", whole=True),
        ),
        seal_rows("review", "reviewitem"),
    ]
