"""Reports and exports read the streaming replica; the writer's next reads stay on the primary.

Needs a real replica of the test database's server (.ci/replica.sh starts one on port 5433):
run with KEHU_REPLICA_DATABASE_URL=postgres://postgres@127.0.0.1:5433/<name> and PostgreSQL as
the default database. The `replica` alias mirrors the test database, which pytest-django creates
on the primary and the replica receives by streaming. The test pauses the replica's replay, so
that a row written on the primary is provably missing there, then resumes it.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kehu.core.replica import WROTE_COOKIE

pytestmark = [
    pytest.mark.replica,
    pytest.mark.skipif(
        "replica" not in settings.DATABASES, reason="no replica (KEHU_REPLICA_DATABASE_URL)"
    ),
    # committed rows, or the replica never sees them; the replica (a mirror) is never flushed
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]

NAME = "只读副本验证贸易有限公司"


def _replay(action: str) -> None:
    with connections["replica"].cursor() as cursor:
        cursor.execute(f"SELECT pg_wal_replay_{action}()")


def _replica_has(name: str) -> bool:
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM customers_customer WHERE name = %s", [name])
        return bool(cursor.fetchone()[0])


def _export(client: Client) -> tuple[str, int, int]:
    """The customer export as CSV text, with how many queries it sent to each database."""
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        with CaptureQueriesContext(connections["default"]) as on_primary:
            response = client.get("/exports/customers.csv")
            assert response.status_code == 200
            text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    replica_reads = [q for q in on_replica.captured_queries if "customers_customer" in q["sql"]]
    primary_reads = [q for q in on_primary.captured_queries if "customers_customer" in q["sql"]]
    return text, len(replica_reads), len(primary_reads)


def test_reports_read_the_replica_and_the_writer_reads_the_primary(
    rep: Any, manager: Any, customer_factory: Any
) -> None:
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # a real standby, not the primary again
    customer_factory(name="华东测试贸易有限公司")
    deadline = time.monotonic() + 30
    while not _replica_has("华东测试贸易有限公司"):  # written on the primary, seen on the replica
        assert time.monotonic() < deadline, "the replica did not receive the primary's write"
        time.sleep(0.2)

    writer, reader = Client(), Client()
    writer.force_login(rep)
    reader.force_login(manager)
    _replay("pause")
    try:
        response = writer.post(
            "/api/v1/customers",
            {"name": NAME, "decision_maker": {"name": "王建国", "mobile": "13800138000"}},
            content_type="application/json",
        )
        assert response.status_code in (200, 201), response.content
        assert WROTE_COOKIE in response.cookies
        assert not _replica_has(NAME)  # replay paused: the replica lags behind

        # Another reader's export comes from the replica: the new customer is not there yet.
        text, replica_reads, primary_reads = _export(reader)
        assert replica_reads >= 1 and primary_reads == 0
        assert "华东测试贸易有限公司" in text and NAME not in text

        # The writer reads its own write: the export stays on the primary.
        text, replica_reads, primary_reads = _export(writer)
        assert replica_reads == 0 and primary_reads >= 1
        assert NAME in text
    finally:
        _replay("resume")

    deadline = time.monotonic() + 30
    while not _replica_has(NAME):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.2)
    text, replica_reads, _primary_reads = _export(reader)
    assert replica_reads >= 1 and NAME in text
