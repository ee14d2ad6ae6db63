"""Change requests moved to the one review queue (review 0002 copied the rows)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0009_contact_moved"),
        ("review", "0002_one_queue"),
    ]

    operations = [migrations.DeleteModel(name="ChangeRequest")]
