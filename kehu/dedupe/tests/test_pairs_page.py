"""Issue 14.6: the steward's pairs are paged and filterable; a scan starts from the page and
shows its progress."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from kehu.accounts.models import Role
from kehu.conftest import make_user
from kehu.core.models import Job
from kehu.customers.models import Customer
from kehu.dedupe.models import DuplicatePair

pytestmark = [pytest.mark.django_db, pytest.mark.tasks]  # run on both task backends (.ci/run)


@pytest.fixture
def many_pairs(customer_factory: Any) -> list[DuplicatePair]:
    """60 pairs: 40 from the scan (scores 0.60-0.99), 20 from the on-save check; one about 华信."""
    customers = [customer_factory(name=f"测试贸易{i:03d}有限公司") for i in range(61)]
    Customer.objects.filter(pk=customers[0].pk).update(name="深圳市华信软件有限公司")
    pairs = []
    for i in range(60):
        a, b = customers[i], customers[i + 1]
        pairs.append(
            DuplicatePair.objects.create(
                customer_a=a,
                customer_b=b,
                score=0.6 + (i % 40) / 100,
                source=DuplicatePair.Source.SCAN if i < 40 else DuplicatePair.Source.CHECK,
            )
        )
    return pairs


def rows(page: Any) -> int:
    """Pairs listed: each row links to its merge page."""
    return page.content.decode().count('href="/dedupe/pairs/')


def test_pairs_are_paged(client: Any, steward: Any, many_pairs: Any) -> None:
    client.force_login(steward)
    first = client.get("/dedupe/")
    assert rows(first) == 50
    assert 'id="next-page"' in first.content.decode()
    second = client.get("/dedupe/", {"page": 2})
    assert rows(second) == 10 and 'id="next-page"' not in second.content.decode()


def test_pairs_are_filtered_by_status_source_score_and_name(
    client: Any, steward: Any, many_pairs: Any
) -> None:
    many_pairs[0].status = DuplicatePair.Status.NOT_DUPLICATE
    many_pairs[0].save()
    client.force_login(steward)
    assert rows(client.get("/dedupe/", {"source": "check"})) == 20
    assert rows(client.get("/dedupe/", {"min_score": "0.955"})) == 4  # 0.96-0.99
    assert rows(client.get("/dedupe/", {"q": "华信"})) == 0  # its one pair is decided
    assert rows(client.get("/dedupe/", {"q": "华信", "status": "not_duplicate"})) == 1
    assert rows(client.get("/dedupe/", {"q": "华信", "status": ""})) == 1
    assert rows(client.get("/dedupe/", {"source": "scan"})) == 39
    page = client.get("/dedupe/", {"status": "open"}).content.decode()
    assert "?status=open&amp;page=2" in page  # the filters stay on the next page's link
    bad = client.get("/dedupe/", {"min_score": "2"})
    assert bad.status_code == 200 and 'id="error-min_score"' in bad.content.decode()


def test_the_api_filters_and_pages_alike(api: Any, steward: Any, many_pairs: Any) -> None:
    api.login(steward)
    assert len(api.get("/api/v1/dedupe/pairs", source="check").json()) == 20
    page = api.get("/api/v1/dedupe/pairs", limit=25, offset=50).json()
    assert len(page) == 10
    assert api.get("/api/v1/dedupe/pairs", min_score=3).status_code == 422


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_steward_starts_a_scan_and_follows_it(
    client: Any, steward: Any, rep: Any, customer_factory: Any
) -> None:
    customer_factory(name="深圳市华信软件有限公司")
    customer_factory(name="深圳市华信软件有限公司")
    client.force_login(rep)
    assert client.post("/dedupe/scan/").status_code == 403
    assert not Job.objects.exists()
    client.force_login(steward)
    response = client.post("/dedupe/scan/", follow=True)
    job = Job.objects.get()
    assert (job.kind, job.status, job.started_by) == ("dedupe.scan", "queued", steward)
    page = response.content.decode()
    assert 'id="scan-job"' in page and f"/jobs/{job.pk}/" in page  # the progress refreshes
    again = client.post("/dedupe/scan/", follow=True)  # one at a time
    assert Job.objects.count() == 1 and f"#{job.pk}" in again.content.decode()

    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["new"] == 1
    progress = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="succeeded"' in progress
    assert DuplicatePair.objects.count() == 1
    assert "深圳市华信软件有限公司" in client.get("/dedupe/").content.decode()


def test_the_api_refuses_a_second_scan(api: Any, steward: Any) -> None:
    other = make_user("steward2", Role.STEWARD)
    assert api.login(other).post("/api/v1/dedupe/scan").status_code == 202
    response = api.login(steward).post("/api/v1/dedupe/scan")
    assert response.status_code == 409
    assert Job.objects.count() == 1
