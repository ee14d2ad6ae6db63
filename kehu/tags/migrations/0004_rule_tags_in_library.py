"""Library only (issue 17): the tags chat capture rules and workflow rules put on customers must
be library tags. Names they use that the library lacks join it, unclassified, so no rule breaks;
an administrator types them on the tags page."""

from django.db import migrations


def forwards(apps, schema_editor):
    Tag = apps.get_model("tags", "Tag")
    ChatTagRule = apps.get_model("capture", "ChatTagRule")
    Rule = apps.get_model("workflow", "Rule")
    names = {str(n).strip()[:50] for n in ChatTagRule.objects.values_list("tag", flat=True)}
    for actions in Rule.objects.values_list("actions", flat=True):
        for action in actions or []:
            if isinstance(action, dict) and action.get("type") in ("add_tag", "remove_tag"):
                names.add(str(action.get("tag") or "").strip()[:50])
    for name in sorted(n for n in names if n):
        Tag.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("tags", "0003_library_presets"),
        ("capture", "0004_review_moved"),
        ("workflow", "0002_default_rules"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
