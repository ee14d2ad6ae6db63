from django.db import migrations, models


class Migration(migrations.Migration):
    """The team pool's customers by status, newest first (a filtered scoped list)."""

    dependencies = [
        ("customers", "0014_customer_scope_walk_idx"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("owner__isnull", True)),
                fields=["team", "status", "id"],
                name="customer_pool_status_idx",
            ),
        ),
    ]
