"""The table of Django's DatabaseCache (the default CACHES when KEHU_CACHE_URL names no Redis):
created here, so that `kehu migrate` is all a deployment runs, on SQLite and PostgreSQL."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "kehu_cache"  # settings.CACHES["default"]["LOCATION"] for the database cache


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0008_job_heartbeat"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
