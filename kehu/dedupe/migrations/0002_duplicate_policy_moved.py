"""The duplicate policy moved to customers (customers 0011). State only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dedupe", "0001_initial"),
        ("customers", "0011_duplicate_policy_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="DuplicateAction"),
                migrations.DeleteModel(name="MatchRule"),
            ],
        ),
    ]
