"""The anomaly queue moved to the one review queue (review 0002 copied the rows)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("capture", "0003_contact_moved"),
        ("review", "0002_one_queue"),
    ]

    operations = [
        migrations.DeleteModel(name="ReviewAlert"),
        migrations.DeleteModel(name="PendingChange"),
        migrations.DeleteModel(name="AnomalyRule"),
    ]
