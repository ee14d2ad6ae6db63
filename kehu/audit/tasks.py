"""Background work of the audit app, queued by `kehu audit_purge_reads --enqueue` (nightly cron)."""

from __future__ import annotations

from django_tasks import task

from .services import audit_reads_purge


@task()
def audit_reads_nightly() -> dict[str, int]:
    """Seal the read log's days into the chain; delete the days past their retention."""
    return audit_reads_purge()
