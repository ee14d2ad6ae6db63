from django.db import migrations


def seed(apps, schema_editor):
    from kehu.customers.dictionaries import INDUSTRIES, SOURCES

    Industry = apps.get_model("customers", "Industry")
    Source = apps.get_model("customers", "Source")
    for sort, (top_name, children) in enumerate(INDUSTRIES.items(), start=1):
        top, _ = Industry.objects.get_or_create(parent=None, name=top_name, defaults={"sort": sort})
        for child_sort, child in enumerate(children, start=1):
            Industry.objects.get_or_create(parent=top, name=child, defaults={"sort": child_sort})
    for sort, (name, code) in enumerate(SOURCES, start=1):
        Source.objects.get_or_create(name=name, defaults={"code": code, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
