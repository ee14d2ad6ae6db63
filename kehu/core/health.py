"""/healthz: is this instance fit to serve? For load balancers and monitoring; no sign-in, no
personal data, only counts and ages.

- database: a round trip (fails -> 503);
- tasks: how many background jobs wait and how long the oldest has waited (a backlog older than
  KEHU_HEALTH_TASK_LAG seconds, default 900, is "degraded": the worker is down or behind);
- search: whether the newest customers have their search documents (the index is written with
  each record; it lags only while a bulk load catches up, or when writes bypassed it).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database() -> dict[str, Any]:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}


def _waiting() -> tuple[int, datetime | None]:
    """How many tasks wait to run now, and when the oldest was queued (either backend)."""
    if settings.KEHU_TASK_BACKEND == "rq":
        import django_rq

        queue = django_rq.get_queue("default")
        first = queue.get_jobs(0, 0)
        return queue.count, first[0].enqueued_at if first else None
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return waiting.count(), oldest


def _tasks() -> dict[str, Any]:
    count, oldest = _waiting()
    if oldest is not None and timezone.is_naive(oldest):  # RQ's times are UTC, without a zone
        oldest = oldest.replace(tzinfo=UTC)
    lag = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    limit = getattr(settings, "KEHU_HEALTH_TASK_LAG", 900)
    return {
        "status": "degraded" if lag > limit else "ok",
        "waiting": count,
        "oldest_waiting_seconds": round(lag),
    }


def _search() -> dict[str, Any]:
    from django.apps import apps

    from kehu.core.models import SearchDocument

    # The last 100 customers by id (an index walk) against their documents (the unique index).
    customer = apps.get_model("customers", "Customer")
    newest = list(customer._default_manager.order_by("-pk").values_list("pk", flat=True)[:100])
    indexed = SearchDocument.objects.filter(
        kind=SearchDocument.Kind.CUSTOMER, object_id__in=newest
    ).count()
    missing = len(newest) - indexed
    return {"status": "degraded" if missing else "ok", "newest_customers_unindexed": missing}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {}
    for name, check in (("database", _database), ("tasks", _tasks), ("search", _search)):
        try:
            checks[name] = check()
        except Exception as error:  # a failing check is the report, not a 500
            checks[name] = {"status": "fail", "error": error.__class__.__name__}
    states = {c["status"] for c in checks.values()}
    status = (
        "fail"
        if checks["database"]["status"] == "fail"
        else ("degraded" if states - {"ok"} else "ok")
    )
    return JsonResponse(
        {"status": status, "checks": checks}, status=503 if status == "fail" else 200
    )
