from django.db import migrations, models


class Migration(migrations.Migration):
    """Indexes that give a scope branch's customers newest first (owner, team, team pool)."""

    dependencies = [
        ("customers", "0013_customer_customer_phone_idx_and_more"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["owner", "id"], name="customer_owner_id_idx"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["team", "id"], name="customer_team_id_idx"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("owner__isnull", True)),
                fields=["team", "id"],
                name="customer_pool_idx",
            ),
        ),
    ]
