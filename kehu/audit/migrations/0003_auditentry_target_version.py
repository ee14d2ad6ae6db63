"""The target's version after an entry (optimistic locking). Nullable, no default: both engines
add the column without copying the log (SQLite's ALTER TABLE ADD COLUMN)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_reads_and_volume")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="target_version",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="target version"),
        ),
    ]
