"""One review queue: the anomaly queue (capture.PendingChange, its rules and alerts) and the
approval queue (customers.ChangeRequest) become ReviewItem rows; alerts become notifications.
The old tables are dropped by capture 0004 and customers 0010."""

from django.db import migrations

NEW_RULES = {"approval": 0, "large_budget": 100_000_000}


def forwards(apps, schema_editor):
    ReviewRule = apps.get_model("review", "ReviewRule")
    ReviewItem = apps.get_model("review", "ReviewItem")
    AnomalyRule = apps.get_model("capture", "AnomalyRule")
    PendingChange = apps.get_model("capture", "PendingChange")
    ReviewAlert = apps.get_model("capture", "ReviewAlert")
    ChangeRequest = apps.get_model("customers", "ChangeRequest")
    Notification = apps.get_model("accounts", "Notification")
    for rule in AnomalyRule.objects.all():
        ReviewRule.objects.update_or_create(
            kind=rule.kind, defaults={"threshold": rule.threshold, "is_active": rule.is_active}
        )
    for kind, threshold in NEW_RULES.items():
        ReviewRule.objects.get_or_create(kind=kind, defaults={"threshold": threshold})
    for old in PendingChange.objects.order_by("id"):
        item = ReviewItem.objects.create(
            action=old.action,
            rule=old.kind,
            status=old.status,
            requested_by_id=old.requested_by_id,
            team_id=old.team_id,
            customer_id=old.customer_id,
            payload=old.payload,
            reason=old.reason,
            reviewed_by_id=old.reviewed_by_id,
            reviewed_at=old.reviewed_at,
            note=old.review_note,
            used_at=old.used_at,
        )
        ReviewItem.objects.filter(pk=item.pk).update(created_at=old.created_at)
        for alert in ReviewAlert.objects.filter(pending_id=old.pk, read_at__isnull=True):
            Notification.objects.create(
                user_id=alert.recipient_id, message=old.reason[:500], link=f"/review/{item.pk}/"
            )
    for old in ChangeRequest.objects.order_by("id"):
        item = ReviewItem.objects.create(
            action="customer_update",
            rule="approval",
            status=old.status,
            requested_by_id=old.requested_by_id,
            team_id=old.team_id,
            customer_id=old.customer_id,
            payload=old.payload,
            diff=[{"field": f, "label": f, "before": "", "after": ""} for f in old.fields],
            reason=", ".join(old.fields),
            reviewed_by_id=old.reviewed_by_id,
            reviewed_at=old.reviewed_at,
            note=old.comment,
        )
        ReviewItem.objects.filter(pk=item.pk).update(created_at=old.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
        ("capture", "0003_contact_moved"),
        ("customers", "0009_contact_moved"),
        ("accounts", "0002_user_can_edit_finance_user_can_reveal_pii_and_more"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
