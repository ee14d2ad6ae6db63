"""Contact moves from the customers app to its own app; the table keeps its name.

State only: the table `customers_contact` exists already (customers 0001). Foreign keys that
point at it are re-pointed in interactions 0003 and capture 0003, then customers 0009 forgets
its old Contact model.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("customers", "0008_drop_indexes_covered_by_composites"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Contact",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        ("name_pinyin", models.CharField(blank=True, max_length=200, verbose_name="name (pinyin)")),
                        ("gender", models.CharField(blank=True, choices=[("male", "Male"), ("female", "Female")], max_length=8, verbose_name="gender")),
                        ("title", models.CharField(blank=True, max_length=100, verbose_name="title")),
                        ("department", models.CharField(blank=True, max_length=100, verbose_name="department")),
                        ("mobile", models.CharField(blank=True, db_index=True, max_length=40, verbose_name="mobile")),
                        ("landline", models.CharField(blank=True, max_length=40, verbose_name="landline")),
                        ("email", models.CharField(blank=True, db_index=True, max_length=254, verbose_name="email")),
                        ("wechat", models.CharField(blank=True, max_length=64, verbose_name="WeChat")),
                        ("qq", models.CharField(blank=True, max_length=16, verbose_name="QQ")),
                        ("address", models.CharField(blank=True, max_length=300, verbose_name="address")),
                        ("contact_type", models.CharField(choices=[("customer", "Customer"), ("prospect", "Prospect"), ("partner", "Partner"), ("supplier", "Supplier"), ("after_sales", "After-sales service")], default="customer", max_length=16, verbose_name="contact type")),
                        ("decision_role", models.CharField(blank=True, choices=[("decision_maker", "Decision maker"), ("budget_approver", "Budget approver"), ("technical_evaluator", "Technical evaluator"), ("end_user", "End user"), ("influencer", "Influencer")], max_length=24, verbose_name="decision-chain role")),
                        ("is_primary", models.BooleanField(default=False, verbose_name="primary contact")),
                        ("has_left", models.BooleanField(default=False, verbose_name="left the company")),
                        ("left_on", models.DateField(blank=True, null=True, verbose_name="left on")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                        ("customer", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="contacts", to="customers.customer")),
                    ],
                    options={
                        "verbose_name": "contact",
                        "verbose_name_plural": "contacts",
                        "db_table": "customers_contact",
                        "ordering": ["-is_primary", "has_left", "id"],
                        "indexes": [models.Index(fields=["customer", "is_primary"], name="contact_customer_idx")],
                    },
                ),
            ],
        ),
    ]
