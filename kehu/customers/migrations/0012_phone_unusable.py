"""A phone that could not be used, kept aside on the customer (masked, no area code)."""

from django.db import migrations, models

from kehu.core.migration_ops import add_text_columns


class Migration(migrations.Migration):
    dependencies = [("customers", "0011_duplicate_policy_moved")]

    operations = [
        add_text_columns(
            "customers",
            "customer",
            {
                "phone_unusable": models.CharField(blank=True, max_length=64, verbose_name="unusable phone"),
                "phone_partial": models.CharField(blank=True, db_index=True, max_length=32, verbose_name="partial phone"),
            },
        )
    ]
