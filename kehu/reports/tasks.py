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


@task()
def analysis_facts_refresh() -> dict[str, int]:
    """Refresh the analyses' daily facts (incrementally; in full once a day), then queue the
    next run in KEHU_ANALYSIS_FACTS_SECONDS."""
    from django.conf import settings

    from kehu.core.periodic import periodic_ensure

    from .analyses.facts import full_due
    from .analyses.services import facts_refresh

    result = facts_refresh(full=full_due())
    periodic_ensure(analysis_facts_refresh, every_seconds=settings.KEHU_ANALYSIS_FACTS_SECONDS)
    return result


def analysis_facts_schedule() -> bool:
    """Queue the facts' next refresh unless one waits (the worker calls this when it starts)."""
    from django.conf import settings

    from kehu.core.periodic import periodic_ensure

    return periodic_ensure(
        analysis_facts_refresh, every_seconds=settings.KEHU_ANALYSIS_FACTS_SECONDS
    )
