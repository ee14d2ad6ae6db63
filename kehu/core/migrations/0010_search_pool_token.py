"""Documents without an owner (team pool, unassigned leads) carry a "no owner" scope token.

A rep sees their own customers, those shared with them and their team's pool. The search index
answered the first branch from the owner token, but the pool (`team = mine AND owner IS NULL`)
had no token, so a rep's search read every match of the word in the index to test each row
(kehu.search.engines: each branch is now searched on its own). Only the ownerless documents
are rewritten (kehu.core.search_index.search_pool_tokens); documents written from now on get
the token from scope_tokens.
"""

from django.db import migrations


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    from kehu.core.search_index.bulk import search_pool_tokens

    search_pool_tokens(forward=True)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    from kehu.core.search_index.bulk import search_pool_tokens

    search_pool_tokens(forward=False)


class Migration(migrations.Migration):
    dependencies = [("core", "0009_cache_table")]

    operations = [migrations.RunPython(forward, backward)]
