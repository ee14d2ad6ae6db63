"""Imports: files read on the worker (inspecting/refused), owned mapping presets, row warnings."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def presets_owned(apps, schema_editor):
    """A preset saved by a user becomes theirs (personal); one saved by the system stays without
    owner. Names stay unique per owner: they were unique overall."""
    MappingPreset = apps.get_model("intake", "MappingPreset")
    for preset in MappingPreset.objects.exclude(created_by=None):
        preset.owner_id = preset.created_by_id
        preset.save(update_fields=["owner"])


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0003_importrun_sheet"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="mappingpreset",
            options={"ordering": ["name", "id"]},
        ),
        migrations.AddField(
            model_name="importrow",
            name="warnings",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="importrun",
            name="file_errors",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="mappingpreset",
            name="is_shared",
            field=models.BooleanField(default=False, verbose_name="shared with my team"),
        ),
        migrations.AddField(
            model_name="mappingpreset",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="owner",
            ),
        ),
        migrations.AddField(
            model_name="mappingpreset",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AlterField(
            model_name="importrun",
            name="status",
            field=models.CharField(
                choices=[
                    ("uploaded", "Uploaded"),
                    ("queued", "Queued"),
                    ("running", "Running"),
                    ("finished", "Finished"),
                    ("failed", "Stopped; can resume"),
                    ("reverted", "Reverted"),
                    ("inspecting", "Reading the file"),
                    ("refused", "File refused"),
                ],
                default="uploaded",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="mappingpreset",
            name="name",
            field=models.CharField(max_length=80, verbose_name="name"),
        ),
        migrations.RunPython(presets_owned, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="mappingpreset",
            constraint=models.UniqueConstraint(
                fields=("owner", "name"), name="mappingpreset_owner_name"
            ),
        ),
        migrations.AddConstraint(
            model_name="mappingpreset",
            constraint=models.UniqueConstraint(
                condition=models.Q(("owner", None)),
                fields=("name",),
                name="mappingpreset_system_name",
            ),
        ),
    ]
