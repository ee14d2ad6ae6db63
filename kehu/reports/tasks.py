"""Background work for reports, run by the task worker (`kehu db_worker`)."""

from __future__ import annotations

from django_tasks import task

from kehu.interactions.freshness import quality_rules_run

from .services import quality_nightly


@task()
def quality_snapshot_nightly(run_rules: bool = False) -> dict[str, int]:
    """Store today's data-quality snapshot and raise alerts (after the freshness rules, if asked)."""
    result = quality_rules_run() if run_rules else {}
    return {**result, **quality_nightly()}
