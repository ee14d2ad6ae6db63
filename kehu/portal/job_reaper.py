"""Stale jobs reaped with an audit entry each.

kehu.core.jobs finds and reaps them; the audit log sits above core, so the entry is written
here, in the reaper's transaction, by the recorder passed to it. `kehu db_worker` reaps when it
starts and when it picks tasks; `kehu jobs_reap` does the same from cron.
"""

from __future__ import annotations

import logging
import time

from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.jobs import jobs_reap, jobs_settle
from kehu.core.models import Job

OUTCOMES = {"resumed": AuditAction.JOB_STALE_RESUMED, "failed": AuditAction.JOB_STALE_FAILED}


def _audit(job: Job, outcome: str, note: str) -> None:
    audit_record(
        actor=None,
        action=OUTCOMES[outcome],
        target=job,
        changes={
            "kind": job.kind,
            "attempt": job.attempt,
            "worker": f"{job.worker_host} {job.worker_pid or ''}".strip(),
            "heartbeat_at": job.heartbeat_at,
        },
        note=note,
        source="system",
    )


def jobs_reap_audited() -> list[tuple[Job, str]]:
    """Reap every stale job (kehu.core.jobs.jobs_reap), each with its audit entry."""
    return jobs_reap(record=_audit)


def jobs_settle_audited() -> None:
    """After a task: settle the jobs it left running (kehu.core.jobs.jobs_settle), audited."""
    jobs_settle(record=_audit)


REAP_SECONDS = 60  # a worker reaps stale jobs at most this often (when it picks a task)
logger = logging.getLogger("kehu.worker")


class Reaping:
    """What both task workers (kehu db_worker, the RQ worker) share: reaping the jobs of workers
    that stopped, at most every REAP_SECONDS unless forced (at start)."""

    reaped_at: float | None = None

    def reap(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and self.reaped_at is not None and now - self.reaped_at < REAP_SECONDS:
            return
        self.reaped_at = now
        for job, outcome in jobs_reap_audited():
            logger.warning("Stale job %s (%s): %s", job.pk, job.kind, outcome)
