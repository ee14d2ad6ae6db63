"""Background work for interactions, run by the task worker (`kehu db_worker`)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from kehu.core.periodic import periodic_ensure

from .freshness import quality_rules_run
from .services.reminders import followups_remind_due


@task()
def quality_rules_nightly() -> dict[str, int]:
    """The freshness rules (待补全 -> 信息待完善, stale -> 待验证), queued by the nightly cron."""
    return quality_rules_run()


@task()
def reminders_scan() -> dict[str, int]:
    """Remind the tasks that fell due (kehu.interactions.services.reminders), then queue the
    next scan in KEHU_REMINDER_SCAN_SECONDS."""
    reminded = followups_remind_due()
    reminders_schedule()
    return {"reminded": reminded}


def reminders_schedule() -> bool:
    """Queue the next reminder scan unless one waits (the worker calls this when it starts)."""
    return periodic_ensure(reminders_scan, every_seconds=settings.KEHU_REMINDER_SCAN_SECONDS)
