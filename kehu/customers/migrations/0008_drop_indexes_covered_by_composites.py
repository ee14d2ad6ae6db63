"""Drop four single-column foreign-key indexes that a composite index already starts with.

Each index costs every insert a B-tree write (at a million customers, a page read too); the
composite indexes serve the same look-ups. The fields keep their columns and constraints; only
the state changes to db_index=False, and the indexes are dropped by name (a plain AlterField
would make SQLite copy both tables).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = {
    # name: (table, column)
    "customers_customer_owner_id_fbb2798e": ("customers_customer", "owner_id"),
    "customers_customer_team_id_677425ba": ("customers_customer", "team_id"),
    "customers_customer_industry_id_9810d27d": ("customers_customer", "industry_id"),
    "customers_contact_customer_id_b9afc0da": ("customers_contact", "customer_id"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_can_edit_finance_user_can_reveal_pii_and_more"),
        ("customers", "0007_changerequest"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for name, (table, column) in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="contact",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contacts",
                        to="customers.customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="customer",
                    name="industry",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        limit_choices_to={"parent__isnull": True},
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="customers.industry",
                        verbose_name="industry",
                    ),
                ),
                migrations.AlterField(
                    model_name="customer",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="owned_customers",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                migrations.AlterField(
                    model_name="customer",
                    name="team",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="customers",
                        to="accounts.team",
                        verbose_name="team",
                    ),
                ),
            ],
        ),
    ]
