"""Background work for customers, run by the task worker (`kehu db_worker`)."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from kehu.core.jobs import job_finish, job_progress, job_running

from .models import Customer
from .services.quality import customers_refresh_quality

BATCH = 500


@task()
def customer_quality_refresh(job_id: int) -> dict[str, int]:
    """Recompute completeness and the 待补全 mark of every customer, in batches."""
    try:
        total = Customer.objects.count()
        job_running(job_id, total=total)
        done = changed = 0
        last_id = 0
        while True:
            with transaction.atomic():
                batch = list(
                    Customer.objects.filter(pk__gt=last_id)
                    .order_by("pk")
                    .prefetch_related("contacts")[:BATCH]
                )
                if not batch:
                    break
                changed += customers_refresh_quality(batch)
            last_id = batch[-1].pk
            done += len(batch)
            job_progress(job_id, done=done)
        result = {"checked": done, "changed": changed}
        job_finish(job_id, result=result)
        return result
    except Exception as exc:
        job_finish(job_id, error=str(exc))
        raise
