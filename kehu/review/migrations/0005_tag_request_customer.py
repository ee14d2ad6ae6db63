"""Tag requests made for a customer name it as the item's customer (issue 20): a unit's data
steward then decides only those about the unit's customers (kehu.review.selectors)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    ReviewItem = apps.get_model("review", "ReviewItem")
    Customer = apps.get_model("customers", "Customer")
    items = ReviewItem.objects.filter(action="tag_request", customer__isnull=True)
    for item in items.only("pk", "payload", "team_id").iterator():
        customer_id = (item.payload or {}).get("customer_id")
        team_id = Customer.objects.filter(pk=customer_id or 0).values_list("team_id", flat=True)
        if customer_id and team_id.exists():
            ReviewItem.objects.filter(pk=item.pk).update(
                customer_id=customer_id, team_id=team_id.first() or item.team_id
            )


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0004_sealed_payloads"),
        ("customers", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
