"""Segment counts over 1,000,000 customers (issue 17): the last contact beside a team or a
status for "idle N days", and an expression index per filterable custom field
(kehu.customers.custom_field_index) for the fields that exist already."""

from django.db import migrations, models


def custom_field_indexes(apps, schema_editor):
    from kehu.customers.custom_field_index import custom_field_index_sync

    field_model = apps.get_model("customers", "CustomField")
    for field in field_model.objects.filter(entity="customer"):
        custom_field_index_sync(field, using=schema_editor.connection)


def drop_custom_field_indexes(apps, schema_editor):
    from kehu.customers.custom_field_index import index_name

    field_model = apps.get_model("customers", "CustomField")
    with schema_editor.connection.cursor() as cursor:
        for key in field_model.objects.filter(entity="customer").values_list("key", flat=True):
            cursor.execute(f'DROP INDEX IF EXISTS "{index_name(key)}"')


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0024_customer_ownership"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["team", "last_interaction_at", "id"], name="customer_team_contact_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["status", "last_interaction_at", "id"], name="customer_status_contact_idx"
            ),
        ),
        migrations.RunPython(custom_field_indexes, drop_custom_field_indexes),
    ]
