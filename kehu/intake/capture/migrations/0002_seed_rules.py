"""Default chat tag rules and anomaly rules; an admin changes them without code."""

from decimal import Decimal

from django.db import migrations

CHAT_RULES = [
    ("批量采购", "quantity", "gte", "100"),
    ("大额商机", "budget_amount", "gte", "1000000"),
    ("紧急需求", "text", "contains", "急"),
]
ANOMALY_RULES = [
    ("amount_jump", Decimal("10")),
    ("vip_phone", Decimal("500000")),
    ("bulk_change", Decimal("20")),
    ("export_spike", Decimal("5")),
]


def seed(apps, schema_editor):
    ChatTagRule = apps.get_model("capture", "ChatTagRule")
    AnomalyRule = apps.get_model("capture", "AnomalyRule")
    for tag, field, op, value in CHAT_RULES:
        ChatTagRule.objects.get_or_create(tag=tag, field=field, op=op, value=value)
    for kind, threshold in ANOMALY_RULES:
        AnomalyRule.objects.get_or_create(kind=kind, defaults={"threshold": threshold})


def unseed(apps, schema_editor):
    apps.get_model("capture", "ChatTagRule").objects.all().delete()
    apps.get_model("capture", "AnomalyRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("capture", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
