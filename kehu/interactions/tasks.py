"""Background work for interactions, run by the task worker (`kehu db_worker`)."""

from __future__ import annotations

from django_tasks import task

from .freshness import quality_rules_run


@task()
def quality_rules_nightly() -> dict[str, int]:
    """The freshness rules (待补全 -> 信息待完善, stale -> 待验证), queued by the nightly cron."""
    return quality_rules_run()
