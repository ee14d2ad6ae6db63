"""Sealed JSON payloads (issue 19, kehu.core.sealed): the change log's before/after values keep
no phone or e-mail in clear, read back whole, survive a key rotation and the seal migration of
rows written before, and the hash chain verifies throughout."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from kehu.audit.models import AuditEntry
from kehu.audit.services import audit_verify, entry_hash
from kehu.core import crypto
from kehu.core.sealed import open_sealed, reseal_model, seal, stale_sealed_count

pytestmark = pytest.mark.django_db

PHONE, EMAIL, MOBILE = "+8613912342166", "info@sealed.cn", "+8615811112222"


def _stored_changes() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST(changes AS text) FROM audit_auditentry ORDER BY seq")
        return [text for (text,) in cursor.fetchall()]


def _versions(texts: list[str]) -> set[int | None]:
    found: set[int | None] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str) and crypto.is_encrypted(value):
            found.add(crypto.version_of(value))
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    for text in texts:
        walk(json.loads(text))
    return found


def test_a_payload_seals_its_personal_values_by_key_and_opens_them_again() -> None:
    payload = {
        "name": ["甲", "乙"],
        "phone": [None, PHONE],
        "decision_maker": {"mobile": MOBILE, "title": "经理"},
        "decision_maker.email": [None, EMAIL],
        "contacts": [{"wechat": "zhang_wx", "name": "张"}],
        "count": 3,
    }
    sealed = seal(payload, "audit.auditentry.changes")
    text = json.dumps(sealed, ensure_ascii=False)
    for value in (PHONE, MOBILE, EMAIL, "zhang_wx"):
        assert value not in text
    assert sealed["name"] == ["甲", "乙"] and sealed["count"] == 3  # the rest stays queryable
    assert sealed["decision_maker"]["title"] == "经理" and sealed["phone"][0] is None
    assert open_sealed(sealed, "audit.auditentry.changes") == payload
    assert seal(sealed, "audit.auditentry.changes") == sealed  # sealing twice changes nothing
    with pytest.raises(crypto.DecryptionFailed):  # bound to its column and key
        open_sealed(sealed, "review.reviewitem.payload")
    whole = seal({"手机": "13912342166"}, "intake.importrow.raw", whole=True)
    assert isinstance(whole, str) and "139" not in whole
    assert open_sealed(whole, "intake.importrow.raw", whole=True) == {"手机": "13912342166"}
    assert seal({}, "intake.importrow.raw", whole=True) == {}  # empty stays empty


def test_the_change_log_is_sealed_rotated_and_resealed_and_the_chain_verifies(
    settings: Any, tmp_path: Any, customer_factory: Any, api: Any, admin_user: Any
) -> None:
    settings.KEHU_ENCRYPTION_KEYS = ""
    settings.KEHU_ENCRYPTION_KEY_FILE = tmp_path / "keys" / "encryption_keys.json"
    crypto.keyring_reset()
    customer = customer_factory(
        name="封存测试有限公司",
        phone=PHONE,
        email=EMAIL,
        decision_maker={"name": "钱封", "mobile": MOBILE},
    )
    stored = _stored_changes()
    assert not any(v in text for text in stored for v in (PHONE, EMAIL, MOBILE))
    entry = AuditEntry.objects.get(action="customer.created", target_id=str(customer.pk))
    assert entry.changes["phone"] == [None, PHONE]  # read back whole
    assert entry.changes["decision_maker.mobile"] == [None, MOBILE]
    shown = api.login(admin_user).get("/api/v1/audit", customer=customer.customer_no).content
    assert MOBILE.removeprefix("+86") in shown.decode()  # the audit view shows the values
    hashes = dict(AuditEntry.objects.values_list("seq", "entry_hash"))
    assert list(audit_verify()) == []

    out = StringIO()
    call_command("rotate_keys", "--batch-size", "2", stdout=out)
    assert "audit.auditentry:" in out.getvalue()
    assert "every value is under key version 2" in out.getvalue()
    crypto.keyring_reset()
    assert _versions(_stored_changes()) == {2}
    assert dict(AuditEntry.objects.values_list("seq", "entry_hash")) == hashes
    assert list(audit_verify()) == []
    entry.refresh_from_db()
    assert entry.changes["phone"] == [None, PHONE]

    # A row from before the seal migration, in clear: the migration's reseal seals it, the
    # entry keeps its hash, and the chain still verifies.
    plain = {**entry.changes}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET changes = %s WHERE id = %s",
            [json.dumps(plain, ensure_ascii=False), entry.pk],
        )
    assert any(PHONE in text for text in _stored_changes())
    assert stale_sealed_count(AuditEntry) == 1
    assert list(audit_verify()) == []  # plaintext reads as it is
    assert reseal_model(AuditEntry) == 1
    assert not any(PHONE in text for text in _stored_changes())
    assert stale_sealed_count(AuditEntry) == 0
    entry.refresh_from_db()
    assert entry_hash(entry) == entry.entry_hash and list(audit_verify()) == []
    crypto.keyring_reset()
