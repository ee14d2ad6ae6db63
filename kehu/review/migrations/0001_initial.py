import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_user_can_edit_finance_user_can_reveal_pii_and_more"),
        ("customers", "0009_contact_moved"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReviewRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("approval", "Key change by a sales rep"), ("amount_jump", "Budget jumps"), ("large_budget", "Very large budget"), ("vip_phone", "A VIP's phone changes"), ("bulk_change", "Bulk status or owner change"), ("export_spike", "Unusually large export"), ("duplicate", "Probable duplicate, queued for the data steward")], max_length=16, unique=True, verbose_name="kind")),
                ("threshold", models.DecimalField(decimal_places=2, default=0, max_digits=16, verbose_name="threshold")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
            ],
            options={"verbose_name": "review rule", "verbose_name_plural": "review rules", "ordering": ["id"]},
        ),
        migrations.CreateModel(
            name="ReviewItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("action", models.CharField(choices=[("customer_create", "New customer"), ("customer_update", "Customer change"), ("contact_update", "Contact change"), ("bulk_update", "Bulk change"), ("export", "Export"), ("duplicate", "Probable duplicate")], max_length=16, verbose_name="action")),
                ("rule", models.CharField(choices=[("approval", "Key change by a sales rep"), ("amount_jump", "Budget jumps"), ("large_budget", "Very large budget"), ("vip_phone", "A VIP's phone changes"), ("bulk_change", "Bulk status or owner change"), ("export_spike", "Unusually large export"), ("duplicate", "Probable duplicate, queued for the data steward")], max_length=16, verbose_name="rule")),
                ("status", models.CharField(choices=[("pending", "Waiting for review"), ("approved", "Approved and applied"), ("rejected", "Rejected")], default="pending", max_length=16, verbose_name="status")),
                ("payload", models.JSONField(default=dict, verbose_name="payload")),
                ("diff", models.JSONField(default=list, verbose_name="changes")),
                ("reason", models.TextField(verbose_name="reason")),
                ("reviewed_at", models.DateTimeField(blank=True, null=True, verbose_name="reviewed at")),
                ("note", models.TextField(blank=True, verbose_name="review note")),
                ("used_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("customer", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="review_items", to="customers.customer", verbose_name="customer")),
                ("requested_by", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="requested by")),
                ("reviewed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("team", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="accounts.team")),
            ],
            options={
                "verbose_name": "review item",
                "verbose_name_plural": "review items",
                "ordering": ["-id"],
                "indexes": [
                    models.Index(fields=["status", "team", "-id"], name="review_status_team_idx"),
                    models.Index(fields=["requested_by", "status"], name="review_requester_idx"),
                ],
            },
        ),
    ]
