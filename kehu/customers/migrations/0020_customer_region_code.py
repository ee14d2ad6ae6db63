"""The customer's region as a GB/T 2260 code (kehu.core.regions), beside the names."""

from django.db import migrations, models

from kehu.core.migration_ops import add_text_columns


class Migration(migrations.Migration):
    dependencies = [("customers", "0019_custom_fields")]

    operations = [
        add_text_columns(
            "customers",
            "customer",
            {
                "region_code": models.CharField(
                    blank=True, max_length=6, verbose_name="region code"
                ),
            },
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["region_code"], name="customer_region_idx"),
        ),
    ]
