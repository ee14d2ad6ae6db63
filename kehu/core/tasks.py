"""Background work of the core: search index upkeep."""

from __future__ import annotations

from django_tasks import task

from .search_index import search_index_tidy


@task()
def search_tidy() -> None:
    """Tidy the search index after a large write (an import): see search_index_tidy."""
    search_index_tidy()
