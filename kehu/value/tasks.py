"""Background work of kehu.value, run by `kehu db_worker`.

- changes_wake(): the change log's listener (kehu.audit.events), called after each commit that
  wrote entries: it queues value_changes unless one is queued and not started yet.
- value_changes: recompute the customers the new entries touched (their orders, interactions,
  status, budget; a merge's survivor); past FULL_RUN_FROM customers, everyone, set-based.
- value_nightly: every customer, every KEHU_VALUE_RECOMPUTE_SECONDS (default a day) while the
  worker runs (value_schedule, called when it starts), or `kehu value_recompute` from cron.

- propensity_train_task: train both propensity models and score every customer; weekly
  (KEHU_PROPENSITY_TRAIN_SECONDS, queued when the worker starts and by each run), or now
  (`kehu propensity_train [--enqueue]`, the button on /settings/value/propensity/).
- freshness_task: the verification cadences and the behaviour triggers over the last window,
  daily (KEHU_FRESHNESS_SECONDS), or now (`kehu freshness_run`).
- triggers_task: the behaviour triggers over events that arrived (queued by events_wake, the
  audit log's listener, after a commit that stored new events).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from kehu.core.periodic import period_claim, periodic_ensure, queued_already

from .freshness.cadence import cadence_run
from .services.events import FULL_RUN_FROM, cursor_advance, touched_customers
from .services.nightly import values_recompute_all
from .services.propensity import propensity_train
from .services.single import values_recompute
from .services.triggers import triggers_run


def changes_process() -> int:
    """The customers touched since the cursor, recomputed; returns how many."""
    done = 0
    while True:
        ids, last = touched_customers()
        if last is None:
            return done
        if len(ids) >= FULL_RUN_FROM:
            done += values_recompute_all()["customers"]
        else:
            done += values_recompute(ids)
        cursor_advance(last)


@task()
def value_changes() -> int:
    return changes_process()


@task()
def value_nightly(repeat: bool = False) -> dict[str, object]:
    try:
        return values_recompute_all()
    finally:
        if repeat:
            value_schedule()


def value_schedule() -> bool:
    return periodic_ensure(
        value_nightly, every_seconds=settings.KEHU_VALUE_RECOMPUTE_SECONDS, repeat=True
    )


def changes_wake() -> None:
    if not queued_already(value_changes):
        value_changes.enqueue()


@task()
def propensity_train_task(repeat: bool = False) -> dict[str, str]:
    try:
        runs = propensity_train()
        return {str(run.kind): str(run.status) for run in runs}
    finally:
        if repeat:
            propensity_schedule()


def propensity_schedule() -> bool:
    """Queue the weekly training; the first one at once when no model was ever trained."""
    from .models import PropensityRun

    if not PropensityRun.objects.exists() and not queued_already(propensity_train_task):
        # at once, claimed like a periodic run: one first training however many workers start
        if not period_claim(
            f"{propensity_train_task.module_path}:first",
            moment=timezone.now(),
            period_seconds=settings.KEHU_PROPENSITY_TRAIN_SECONDS or 7 * 24 * 3600,
        ):
            return False
        propensity_train_task.enqueue(repeat=True)
        return True
    return periodic_ensure(
        propensity_train_task, every_seconds=settings.KEHU_PROPENSITY_TRAIN_SECONDS, repeat=True
    )


@task()
def freshness_task(repeat: bool = False) -> dict[str, int]:
    try:
        return {"verify_tasks": cadence_run(), "trigger_tasks": triggers_run()}
    finally:
        if repeat:
            freshness_schedule()


def freshness_schedule() -> bool:
    return periodic_ensure(
        freshness_task, every_seconds=settings.KEHU_FRESHNESS_SECONDS, repeat=True
    )


@task()
def triggers_task(since_id: int) -> int:
    return triggers_run(since_id=since_id)


_seen: dict[str, int] = {}


def events_wake() -> None:
    """After a commit that wrote audit entries: if behaviour events arrived since the last
    look (a primary-key probe), queue the triggers over them."""
    from kehu.interactions.models import BehaviourEvent

    newest = BehaviourEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # A process's first look takes the last batch's worth as new (a second look is harmless).
    seen = _seen.get("event", max(0, newest - settings.KEHU_EVENT_BATCH_MAX))
    _seen["event"] = newest
    if newest <= seen or queued_already(triggers_task):
        return
    triggers_task.enqueue(since_id=seen)
