"""Background work of the audit app: the read log's nightly seal and purge (queued by `kehu
audit_purge_reads --enqueue`), and the daily signed checkpoint of the chain (kehu db_worker's
schedules; KEHU_AUDIT_CHECKPOINT_HOUR)."""

from __future__ import annotations

import logging

from django.conf import settings
from django_tasks import task

from kehu.core.periodic import periodic_ensure, seconds_to_hour

from .services import audit_reads_purge
from .services.anchor import CheckpointRefused, audit_checkpoint_write
from .services.anchor_keys import KeyProblem

logger = logging.getLogger(__name__)


@task()
def audit_reads_nightly() -> dict[str, int]:
    """Seal the read log's days into the chain; delete the days past their retention."""
    return audit_reads_purge()


@task()
def audit_checkpoint_daily(repeat: bool = False) -> dict[str, object]:
    """Sign today's checkpoint of the chain (kehu.audit.services.anchor); with `repeat`, queue
    tomorrow's. A refusal (a broken chain, a missing or unsafe key) is logged as an error and
    returned: the next day tries again."""
    try:
        checkpoint = audit_checkpoint_write()
    except (CheckpointRefused, KeyProblem) as exc:
        logger.error("Audit checkpoint refused: %s", exc)
        return {"refused": str(exc)}
    finally:
        if repeat:
            audit_checkpoint_schedule()
    return {"seq": checkpoint.seq, "file": checkpoint.file_name, "webhook": checkpoint.webhook}


def audit_checkpoint_schedule() -> bool:
    """Queue the next daily checkpoint (KEHU_AUDIT_CHECKPOINT_HOUR, local time; -1: none)
    unless one waits; `kehu db_worker` calls this when it starts, each run queues the next."""
    return periodic_ensure(
        audit_checkpoint_daily,
        every_seconds=seconds_to_hour(settings.KEHU_AUDIT_CHECKPOINT_HOUR),
        period_seconds=86400,  # once a day, whichever worker queues it
        repeat=True,
    )
