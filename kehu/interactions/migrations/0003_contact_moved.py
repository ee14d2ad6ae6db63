"""Contacts moved to their own app (contacts 0001): the foreign keys follow. State only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0001_initial"),
        ("interactions", "0002_followup"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="behaviourevent",
                    name="contact",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="events", to="contacts.contact"),
                ),
                migrations.AlterField(
                    model_name="interaction",
                    name="contact",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="interactions", to="contacts.contact", verbose_name="contact"),
                ),
            ],
        ),
    ]
