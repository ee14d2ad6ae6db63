"""Background work of the tag rules, run by `kehu db_worker`.

- autotag_wake(): the change log's listener; queues autotag_events unless one is queued.
- autotag_events: keyword rules over the texts written since the last run (on save).
- autotag_run: one keyword rule over every existing text (a Job with progress).
- tags_decay_task: the decay rules, nightly (at KEHU_TAG_DECAY_HOUR local time; -1 = off).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_tasks import task

from kehu.core.jobs import job_finish, job_progress, job_running
from kehu.core.periodic import periodic_ensure, queued_already, seconds_to_hour


@task()
def autotag_events() -> int:
    from .rules.events import LIMIT, events_process

    done = events_process()
    if done >= LIMIT:  # an import's worth: continue in a new run
        autotag_events.enqueue()
    return done


def autotag_wake() -> None:
    """After a commit that wrote audit entries: make sure an autotag_events run is queued."""
    if not queued_already(autotag_events):
        autotag_events.enqueue()


@task()
def autotag_run(job_id: int, rule_id: int) -> dict[str, Any]:
    from .rules.services import keyword_rule_run_now

    try:
        job_running(job_id, total=0)

        def progress(done: int, message: str) -> None:
            job_progress(job_id, done=done, message=message)

        result = keyword_rule_run_now(rule_id=rule_id, progress=progress)
        job_finish(job_id, result=result)
        return result
    except Exception as exc:  # the job shows the failure; the worker logs it
        job_finish(job_id, error=str(exc) or exc.__class__.__name__)
        raise


@task()
def tags_decay_task(repeat: bool = False) -> dict[str, int]:
    from .rules.decay import decay_run_all

    try:
        return decay_run_all()
    finally:
        if repeat:
            decay_schedule()


def decay_schedule() -> bool:
    """Queue the next nightly decay run (KEHU_TAG_DECAY_HOUR) unless one waits; `kehu db_worker`
    calls this when it starts, each run queues the next."""
    return periodic_ensure(
        tags_decay_task,
        every_seconds=seconds_to_hour(settings.KEHU_TAG_DECAY_HOUR),
        period_seconds=86400,  # once a night, whichever worker queues it
        repeat=True,
    )
