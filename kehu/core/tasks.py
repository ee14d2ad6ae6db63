"""Background work of the core: search index upkeep."""

from __future__ import annotations

from django_tasks import task

from .search_index import search_index_tidy


@task()
def search_tidy() -> None:
    """Tidy the search index after a large write (an import): see search_index_tidy."""
    search_index_tidy()


@task()
def backup_nightly() -> None:
    """Write a backup archive, keep the newest KEHU_BACKUP_KEEP, queue the next run."""
    from django.conf import settings

    from .backup import backup_create, backup_prune

    try:
        backup_create()
        backup_prune(keep=settings.KEHU_BACKUP_KEEP)
    finally:
        backup_schedule()


def backup_schedule() -> bool:
    """Queue the next backup (every KEHU_BACKUP_EVERY_SECONDS; 0, the sandbox's default, is off)."""
    from django.conf import settings

    from .periodic import periodic_ensure

    return periodic_ensure(backup_nightly, every_seconds=settings.KEHU_BACKUP_EVERY_SECONDS)
