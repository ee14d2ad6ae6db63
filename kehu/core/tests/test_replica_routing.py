"""Which requests read the replica (without a replica: the decision alone; the real one is
kehu/core/tests/test_replica.py)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from kehu.core.replica import WROTE_COOKIE, ReplicaRouter, replica_reads, replica_wanted

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_replica(settings: Any) -> None:
    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}


def _get(path: str, *, wrote_ago: float | None = None, method: str = "get") -> Any:
    request = getattr(RequestFactory(), method)(path)
    if wrote_ago is not None:
        request.COOKIES[WROTE_COOKIE] = str(int(time.time() - wrote_ago))
    request.user = AnonymousUser()
    return request


def test_reports_and_exports_read_the_replica_unless_the_reader_just_wrote(with_replica) -> None:
    assert replica_wanted(_get("/reports/quality/"))
    assert replica_wanted(_get("/exports/customers.csv"))
    assert replica_wanted(_get("/api/v1/reports/health"))
    assert not replica_wanted(_get("/customers/"))  # the desk reads the primary
    assert not replica_wanted(_get("/reports/quality/", method="post"))
    assert not replica_wanted(_get("/reports/quality/", wrote_ago=3))  # read-your-writes
    assert replica_wanted(_get("/reports/quality/", wrote_ago=3600))  # long ago


def test_without_a_replica_everything_reads_the_primary() -> None:
    assert not replica_wanted(_get("/reports/quality/"))
    with replica_reads():
        assert ReplicaRouter().db_for_read(object) is None


def test_the_router_reads_the_replica_only_inside_and_writes_the_primary(with_replica) -> None:
    router = ReplicaRouter()
    assert router.db_for_read(object) is None
    with replica_reads():
        # pytest-django's test runs inside a transaction of the primary: its own writes are
        # not on the replica, so reads stay there
        assert router.db_for_read(object) is None
    assert router.db_for_write(object) == "default"
    assert router.allow_migrate("replica", "customers") is False


def test_a_write_sets_the_sticky_cookie(client, rep, with_replica) -> None:
    client.force_login(rep)
    response = client.post(
        "/api/v1/customers",
        {
            "name": "粘性读写测试有限公司",
            "decision_maker": {"name": "王建国", "mobile": "13800138000"},
        },
        content_type="application/json",
    )
    assert response.status_code in (200, 201)
    assert response.cookies[WROTE_COOKIE]["max-age"] == 30
