"""Background work of the audit app: the read log's nightly seal and purge (queued by `kehu
audit_purge_reads --enqueue`), and the daily signed checkpoint of the chain (kehu db_worker's
schedules; KEHU_AUDIT_CHECKPOINT_HOUR)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from kehu.core.periodic import periodic_ensure

from .services import audit_reads_purge
from .services.anchor import CheckpointRefused, audit_checkpoint_write
from .services.anchor_keys import KeyProblem

logger = logging.getLogger(__name__)


@task()
def audit_reads_nightly() -> dict[str, int]:
    """Seal the read log's days into the chain; delete the days past their retention."""
    return audit_reads_purge()


def seconds_to_hour(hour: int, now: datetime | None = None) -> int:
    """Seconds from now to the next time the local clock shows `hour`:00 (0: never, hour < 0)."""
    if hour < 0:
        return 0
    now = timezone.localtime(now or timezone.now())
    moment = now.replace(hour=hour % 24, minute=0, second=0, microsecond=0)
    if moment <= now:
        moment += timedelta(days=1)
    return max(1, int((moment - now).total_seconds()))


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
