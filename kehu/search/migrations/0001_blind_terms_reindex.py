"""Issue 19: rebuild the search index so that no document keeps a phone, e-mail, WeChat or QQ id
or address in clear (core migration 0014 gave the documents their blind terms). The records are
read through this migration's state (their encrypted columns decrypt there as in the app). On
SQLite the FTS5 tables are emptied and merged; the freed pages still hold the old text until
`kehu search_reindex --vacuum` (or a VACUUM) rewrites the file: docs/DEVELOPING.md."""

from typing import Any

from django.db import migrations


def _rebuild(apps: Any, schema_editor: Any) -> None:
    from kehu.search.services import search_reindex

    models = tuple(
        apps.get_model(label)
        for label in ("customers.Customer", "contacts.Contact", "interactions.Interaction")
    )
    search_reindex(models=models)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0014_search_blind_terms"),
        ("customers", "0029_customfield_personal_class"),
        ("contacts", "0006_encrypt_personal"),
        ("interactions", "0007_interaction_period_idx"),
    ]

    operations = [migrations.RunPython(_rebuild, migrations.RunPython.noop)]
