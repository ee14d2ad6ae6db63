"""The duplicate policy (matching rules, the action per context) moves from dedupe to customers:
the on-save check runs inside the customer write path. State only; the tables keep their names."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0010_review_moved"),
        ("dedupe", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="DuplicateAction",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("context", models.CharField(choices=[("create", "Create"), ("edit", "Edit"), ("import", "Import")], max_length=16, unique=True, verbose_name="context")),
                        ("action", models.CharField(choices=[("allow", "Allow"), ("alert", "Alert"), ("block", "Block"), ("queue", "Queue for the steward")], default="alert", max_length=16, verbose_name="action")),
                    ],
                    options={"verbose_name": "duplicate action", "verbose_name_plural": "duplicate actions", "ordering": ["context"], "db_table": "dedupe_duplicateaction"},
                ),
                migrations.CreateModel(
                    name="MatchRule",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                        ("description", models.TextField(blank=True, verbose_name="description")),
                        ("min_score", models.FloatField(default=0.9, verbose_name="minimum score")),
                        ("required_fields", models.JSONField(blank=True, default=list, verbose_name="fields that must agree")),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                    ],
                    options={"verbose_name": "matching rule", "verbose_name_plural": "matching rules", "ordering": ["id"], "db_table": "dedupe_matchrule"},
                ),
            ],
        ),
    ]
