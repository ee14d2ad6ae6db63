"""Background work of the privacy app, run by `kehu db_worker`: the retention policies, nightly
(at KEHU_RETENTION_HOUR local time; -1 = off)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from kehu.core.periodic import periodic_ensure, seconds_to_hour


@task()
def retention_nightly(repeat: bool = False) -> list[int]:
    """Run every enabled retention policy; each leaves a run report (RetentionRun)."""
    from .services import retention_run_enabled

    try:
        return [run.pk for run in retention_run_enabled()]
    finally:
        if repeat:
            retention_schedule()


def retention_schedule() -> bool:
    """Queue the next nightly run unless one waits; `kehu db_worker` calls this when it starts,
    each run queues the next."""
    return periodic_ensure(
        retention_nightly,
        every_seconds=seconds_to_hour(settings.KEHU_RETENTION_HOUR),
        period_seconds=86400,  # once a night, whichever worker queues it
        repeat=True,
    )
