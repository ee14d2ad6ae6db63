"""Custom field values of contacts (issue 15; the definitions are customers.CustomField)."""

from django.db import migrations, models

from kehu.core.migration_ops import add_json_object_columns


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_contact_contact_landline_idx")]

    operations = [
        add_json_object_columns(
            "contacts",
            "contact",
            {"custom_fields": models.JSONField(blank=True, default=dict, verbose_name="custom fields")},
        ),
    ]
