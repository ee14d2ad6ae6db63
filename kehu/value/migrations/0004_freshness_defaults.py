"""The shipped verification cadences (VIP / A monthly, B quarterly, C half-yearly) and the two
behaviour triggers of issue 17."""

from django.db import migrations

CADENCES = {"vip": 30, "A": 30, "B": 91, "C": 182, "none": 0}
TRIGGERS = [
    ("7 天内打开邮件 3 次以上", "email_open", 3, 7, "", "复核客户意向：7 天内多次打开邮件"),
    ("沉睡客户提交表单", "form_submit", 1, 30, "dormant", "复核沉睡客户：提交了表单"),
]


def forwards(apps, schema_editor):
    Cadence = apps.get_model("value", "VerificationCadence")
    Trigger = apps.get_model("value", "BehaviourTrigger")
    for key, days in CADENCES.items():
        Cadence.objects.get_or_create(key=key, defaults={"days": days})
    for name, kind, count, days, lifecycle, title in TRIGGERS:
        Trigger.objects.get_or_create(
            name=name,
            defaults={
                "event_kind": kind,
                "min_count": count,
                "window_days": days,
                "lifecycle": lifecycle,
                "task_title": title,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("value", "0003_propensity_freshness")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
