"""Custom fields (issue 15): the administrator's definitions, and each customer's values."""

from django.db import migrations, models

from kehu.core.migration_ops import add_json_object_columns


class Migration(migrations.Migration):
    dependencies = [("customers", "0018_list_sort_indexes")]

    operations = [
        migrations.CreateModel(
            name="CustomField",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("entity", models.CharField(choices=[("customer", "Customer"), ("contact", "Contact")], max_length=16, verbose_name="applies to")),
                ("key", models.SlugField(verbose_name="key")),
                ("label", models.CharField(max_length=100, verbose_name="label")),
                ("kind", models.CharField(choices=[("text", "Text"), ("number", "Number"), ("amount", "Amount"), ("date", "Date"), ("choice", "Single choice"), ("multi_choice", "Multiple choice")], default="text", max_length=16, verbose_name="type")),
                ("choices", models.JSONField(blank=True, default=list, verbose_name="choices")),
                ("required", models.BooleanField(default=False, verbose_name="required")),
                ("help_text", models.CharField(blank=True, max_length=300, verbose_name="help text")),
                ("position", models.PositiveIntegerField(default=0, verbose_name="position")),
                ("show_in_list", models.BooleanField(default=False, verbose_name="show in the customer list")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
            ],
            options={
                "verbose_name": "custom field",
                "verbose_name_plural": "custom fields",
                "ordering": ["entity", "position", "id"],
                "constraints": [models.UniqueConstraint(fields=("entity", "key"), name="customfield_unique_key")],
            },
        ),
        add_json_object_columns(
            "customers",
            "customer",
            {"custom_fields": models.JSONField(blank=True, default=dict, verbose_name="custom fields")},
        ),
    ]
