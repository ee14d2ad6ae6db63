"""`kehu jobs_reap`: resume or fail the jobs whose worker stopped (for cron; the worker does it
too when it starts and when it picks tasks)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kehu.portal.job_reaper import jobs_reap_audited


class Command(BaseCommand):
    help = (
        "Find stale jobs (their worker process is gone, or silent for KEHU_JOB_STALE_SECONDS): "
        "queue resumable ones again, mark the others failed; each is audited."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reaped = jobs_reap_audited()
        for job, outcome in reaped:
            self.stdout.write(f"job {job.pk} {job.kind} {outcome}")
        self.stdout.write(f"stale jobs: {len(reaped)}")
