from __future__ import annotations

import pytest
from django.core.management import call_command

from kehu.core.jobs import job_start
from kehu.core.models import Job
from kehu.customers.models import Customer
from kehu.customers.tasks import customer_quality_refresh

# The worker closes its connection after a task, so the test cannot run inside a transaction.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.tasks,
]  # run on both task backends (.ci/run)


def test_quality_refresh_runs_on_the_worker_and_reports_progress(customer_factory, admin_user):
    complete = customer_factory(name="甲公司")
    stale = customer_factory(name="乙公司")
    # Simulate a record whose stored completeness went stale (e.g. rules changed).
    Customer.objects.filter(pk=stale.pk).update(completeness=0, missing_fields=["industry"])

    job = job_start(
        kind="quality_refresh", title="Recompute", actor=admin_user, task=customer_quality_refresh
    )
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert job.task_result_id

    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.done == job.total == 2
    assert job.result == {"checked": 2, "changed": 1}
    stale.refresh_from_db()
    complete.refresh_from_db()
    assert stale.completeness == complete.completeness
    assert stale.missing_fields == complete.missing_fields
