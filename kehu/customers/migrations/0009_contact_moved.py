"""Contacts moved to their own app (contacts 0001); this app forgets its old model. State only:
the table `customers_contact` now belongs to contacts.Contact."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0008_drop_indexes_covered_by_composites"),
        ("contacts", "0001_initial"),
        ("interactions", "0003_contact_moved"),
        ("capture", "0003_contact_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="Contact")],
        ),
    ]
