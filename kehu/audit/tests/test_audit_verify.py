from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kehu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def verify() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), err.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def logged(customer_factory, api, rep):
    customer = customer_factory(name="审计测试有限公司")
    api.login(rep)
    api.patch(f"/api/v1/customers/{customer.customer_no}", {"notes": "第一次修改"})
    api.patch(f"/api/v1/customers/{customer.customer_no}", {"notes": "第二次修改"})
    return list(AuditEntry.objects.order_by("seq"))


def test_untouched_log_verifies_clean(logged):
    assert [e.seq for e in logged] == list(range(1, len(logged) + 1))
    code, output = verify()
    assert code == 0
    assert f"{len(logged)} entries" in output


def test_edited_entry_is_named(logged):
    target = logged[1]
    AuditEntry.objects.filter(pk=target.pk).update(note="悄悄改掉")
    code, output = verify()
    assert code == 1
    assert f"entry #{target.seq}" in output
    assert "edited" in output


def test_deleted_entry_is_named(logged):
    AuditEntry.objects.filter(pk=logged[1].pk).delete()
    code, output = verify()
    assert code == 1
    assert f"entry #{logged[1].seq}" in output
    assert "deleted" in output


def test_deleted_last_entry_is_noticed(logged):
    AuditEntry.objects.filter(pk=logged[-1].pk).delete()
    code, output = verify()
    assert code == 1
    assert f"entry #{logged[-1].seq}" in output


def test_inserted_entry_is_named(logged):
    forged = logged[1]
    forged.pk = None
    forged.seq = logged[-1].seq + 1
    forged.note = "伪造"
    forged.save()
    code, output = verify()
    assert code == 1
    assert f"#{forged.seq}" in output


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_audit_record_outside_a_transaction_keeps_the_chain(rep):
    """Logins are audited outside any transaction: the chain row is still locked (PostgreSQL
    refuses SELECT ... FOR UPDATE in autocommit)."""
    from kehu.audit.actions import AuditAction
    from kehu.audit.services import audit_record

    audit_record(actor=rep, action=AuditAction.USER_LOGGED_IN)
    audit_record(actor=rep, action=AuditAction.USER_LOGGED_IN)
    code, _output = verify()
    assert code == 0
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]
