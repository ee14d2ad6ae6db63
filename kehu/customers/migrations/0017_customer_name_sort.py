"""Customer.name_sort: the name's pinyin, which the list sorts names by; filled for the
customers already there (in batches), then indexed."""

from typing import Any

from django.db import migrations, models

BATCH = 5000


def fill(apps: Any, schema_editor: Any) -> None:
    from kehu.core.normalize.pinyin import name_sort_key

    customer = apps.get_model("customers", "Customer")
    last = 0
    while True:
        rows = list(
            customer.objects.filter(pk__gt=last).order_by("pk").only("pk", "name")[:BATCH]
        )
        if not rows:
            return
        for row in rows:
            row.name_sort = name_sort_key(row.name)
        customer.objects.bulk_update(rows, ["name_sort"], batch_size=1000)
        last = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0016_savedview"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="name_sort",
            field=models.CharField(
                blank=True, default="", max_length=400, verbose_name="name (sort key)"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["name_sort", "id"], name="customer_name_sort_idx"),
        ),
    ]
