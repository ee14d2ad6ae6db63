"""The shipped rules (kehu.workflow.defaults) and the event cursor, which starts at the end of
the change log: rules act on what happens from now on, not on the history."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from kehu.workflow.defaults import DEFAULT_RULES

    Rule = apps.get_model("workflow", "Rule")
    EventCursor = apps.get_model("workflow", "EventCursor")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    for data in DEFAULT_RULES:
        if not Rule.objects.filter(key=data["key"]).exists():
            Rule.objects.create(**data)
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    EventCursor.objects.get_or_create(key="workflow-events", defaults={"last_seq": last})


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0001_initial"),
        ("audit", "0002_reads_and_volume"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
