"""Issue 14.11: reads are audited (360 page, search, export, reveal), kept for a retention period,
purged without breaking the audit chain's verification."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.audit.models import AuditEntry, ReadEntry
from kehu.audit.services import read_record

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def verify() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), err.getvalue()
    return 0, out.getvalue()


def purge() -> str:
    out = StringIO()
    call_command("audit_purge_reads", stdout=out)
    return out.getvalue()


def test_opening_a_360_page_is_one_read_entry_and_one_insert(
    client: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="读取审计有限公司")
    changes = AuditEntry.objects.count()
    client.force_login(rep)
    assert client.get(f"/customers/{customer.customer_no}/").status_code == 200
    entry = ReadEntry.objects.get()
    assert (entry.kind, entry.actor, entry.customer_id) == ("view", rep, customer.pk)
    assert customer.customer_no in entry.target_label and entry.source == "web"
    assert AuditEntry.objects.count() == changes  # the change log is not touched by a read
    with CaptureQueriesContext(connection) as queries:
        read_record(actor=rep, kind=ReadEntry.Kind.VIEW, target=customer)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]


def test_a_page_the_user_may_not_open_writes_no_read_entry(
    client: Any, outsider: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    client.force_login(outsider)
    assert client.get(f"/customers/{customer.customer_no}/").status_code == 404
    assert not ReadEntry.objects.exists()


def test_a_search_is_logged_with_its_query_not_its_results(
    client: Any, api: Any, rep: Any, customer_factory: Any
) -> None:
    customer_factory(name="杭州审计查询有限公司")
    client.force_login(rep)
    page = client.get("/search/", {"q": "审计查询"})
    assert "杭州审计查询有限公司" in page.content.decode()
    assert api.get("/api/v1/search", q="审计查询").json()["total"] == 1
    assert (
        client.get("/search/", {"q": "  "}).status_code == 200
    )  # nothing searched, nothing logged
    entries = list(ReadEntry.objects.order_by("id"))
    assert [(e.kind, e.query, e.row_count, e.source) for e in entries] == [
        ("search", "审计查询", 1, "web"),
        ("search", "审计查询", 1, "api"),
    ]
    assert all("杭州" not in e.target_label + e.query for e in entries)


def test_an_export_and_a_reveal_are_read_entries(
    client: Any, api: Any, rep: Any, executive: Any, customer_factory: Any
) -> None:
    customer = customer_factory(phone="13812345678")
    executive.can_reveal_pii = True
    executive.save()
    client.force_login(rep)
    assert client.get("/exports/customers.csv", {"status": "lead"}).status_code == 200
    response = api.login(executive).post(
        f"/api/v1/customers/{customer.customer_no}/reveal", {"field": "phone"}
    )
    assert response.status_code == 200
    export, reveal = ReadEntry.objects.order_by("id")
    assert export.kind == "export" and export.row_count == 1 and '"status": "lead"' in export.query
    assert (reveal.kind, reveal.actor, reveal.customer_id, reveal.query) == (
        "reveal",
        executive,
        customer.pk,
        "phone",
    )
    # Both also stay in the tamper-evident change log, kept for good.
    assert (
        AuditEntry.objects.filter(action__in=["customers.exported", "field.revealed"]).count() == 2
    )


def _reads_on(day: datetime, client: Any, customer: Any, count: int) -> None:
    with time_machine.travel(day, tick=False):
        for _n in range(count):
            client.get(f"/customers/{customer.customer_no}/")


@pytest.fixture
def reads_over_a_year(client: Any, rep: Any, customer_factory: Any, settings: Any) -> Any:
    """Reads 300, 200 and 100 days ago and today; retention 180 days."""
    settings.KEHU_AUDIT_READ_RETENTION_DAYS = 180
    customer = customer_factory()
    client.force_login(rep)
    now = datetime.now(SHANGHAI)
    for days, count in ((300, 2), (200, 3), (100, 4)):
        _reads_on(now - timedelta(days=days), client, customer, count)
    _reads_on(now - timedelta(hours=1), client, customer, 1)
    return customer


def test_purge_removes_only_reads_past_the_retention_and_the_chain_still_verifies(
    reads_over_a_year: Any,
) -> None:
    changes_before = set(AuditEntry.objects.values_list("pk", flat=True))
    assert ReadEntry.objects.count() == 10
    output = purge()
    assert "sealed=10 purged=5" in output
    kept = ReadEntry.objects.order_by("created_at")
    assert kept.count() == 5  # the 100-day-old day and today
    cutoff = datetime.now(SHANGHAI) - timedelta(days=180)
    assert all(e.created_at > cutoff for e in kept)
    # Nothing of the change log went: four days sealed and one purge were added to it.
    changes_after = set(AuditEntry.objects.values_list("pk", flat=True))
    assert changes_before < changes_after
    added = AuditEntry.objects.exclude(pk__in=changes_before).values_list("action", flat=True)
    assert sorted(added) == ["audit.reads_purged"] + ["audit.reads_sealed"] * 4
    code, output = verify()
    assert code == 0, output
    assert "5 sealed entries match their seals; 0 not sealed yet" in output
    assert "sealed=0 purged=0" in purge()  # idempotent
    assert verify()[0] == 0


def test_verify_still_detects_tampering_after_a_purge(reads_over_a_year: Any) -> None:
    purge()
    kept = list(ReadEntry.objects.order_by("id"))
    ReadEntry.objects.filter(pk=kept[0].pk).update(query="悄悄改掉")
    code, output = verify()
    assert code == 1 and "do not match their seal" in output
    ReadEntry.objects.filter(pk=kept[0].pk).update(query=kept[0].query)
    assert verify()[0] == 0
    ReadEntry.objects.filter(pk=kept[1].pk).delete()
    code, output = verify()
    assert code == 1 and "found 3" in output


def test_verify_detects_a_deleted_purge_marker_or_an_edited_change_after_a_purge(
    reads_over_a_year: Any, api: Any, rep: Any
) -> None:
    purge()
    marker = AuditEntry.objects.get(action="audit.reads_purged")
    AuditEntry.objects.filter(pk=marker.pk).update(changes={**marker.changes, "up_to_id": 10**9})
    code, output = verify()
    assert code == 1 and f"entry #{marker.seq}" in output and "edited" in output
    AuditEntry.objects.filter(pk=marker.pk).update(changes=marker.changes)
    change = AuditEntry.objects.filter(action="customer.created").get()
    AuditEntry.objects.filter(pk=change.pk).update(note="伪造")
    code, output = verify()
    assert code == 1 and f"entry #{change.seq}" in output


def test_reads_of_the_last_minutes_wait_for_the_next_seal(
    client: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    client.force_login(rep)
    client.get(f"/customers/{customer.customer_no}/")
    assert "sealed=0 purged=0" in purge()
    code, output = verify()
    assert code == 0 and "1 not sealed yet" in output
    with time_machine.travel(datetime.now(SHANGHAI) + timedelta(minutes=11)):
        assert "sealed=1 purged=0" in purge()
        assert "1 sealed entries match" in verify()[1]
