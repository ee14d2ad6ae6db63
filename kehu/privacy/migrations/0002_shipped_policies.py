"""The shipped retention policies (issue 19): examples, disabled until an administrator or the
data steward turns them on at /settings/retention/."""

from django.db import migrations

SHIPPED = [
    ("流失客户180天后匿名化", "lost_customers", 180),
    ("未转化线索30天后匿名化", "stale_leads", 30),
    ("导入文件30天后删除", "import_files", 30),
    ("读取日志180天后删除", "read_audit", 180),
]


def forwards(apps, schema_editor):
    RetentionPolicy = apps.get_model("privacy", "RetentionPolicy")
    for name, kind, days in SHIPPED:
        if not RetentionPolicy.objects.filter(kind=kind).exists():
            RetentionPolicy.objects.create(name=name, kind=kind, days=days, is_enabled=False)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
