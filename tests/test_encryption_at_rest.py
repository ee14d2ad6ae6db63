"""Encryption at rest of personal fields (issue 19, kehu.core.crypto): a loaded sandbox leaves no
phone or e-mail in clear in the customer and contact tables, look-ups still find them through
the blind indexes, and a key rotation leaves every value readable."""

from __future__ import annotations

import json
import os
import stat
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from kehu.contacts.models import Contact
from kehu.core import crypto, crypto_batches
from kehu.customers.models import Customer
from kehu.customers.services import duplicate_check

SAMPLE = 1000
ENCRYPTED_TABLES = ("customers_customer", "customers_contact")
# Where a sampled value may still be found in clear: copies this change has not reached yet
# (none left). A value found in any table fails the test: the search index keeps keyed terms,
# the audit log's before/after values, import rows, merge records and held changes are sealed
# (kehu.core.sealed), web-form leads encrypted.
NOT_YET_COVERED: tuple[str, ...] = ()


def _sampled_values() -> list[str]:
    values: set[str] = set()
    for phone, email in Customer.objects.values_list("phone", "email"):
        values.update(v for v in (phone, email) if v)
    rows = Contact.objects.values_list("mobile", "landline", "email", "wechat")
    for row in rows:
        values.update(v for v in row if v)
    return sorted(values)[:SAMPLE]


def _tables_holding(values: list[str]) -> dict[str, int]:
    """{table: values found in its text} over every table: what a dump of the database shows."""
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            try:
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            except Exception:  # an FTS5 shadow table that cannot be read directly
                continue
            text = "\n".join(str(cell) for row in cursor.fetchall() for cell in row)
            hits = sum(1 for value in values if value in text)
            if hits:
                found[table] = hits
    return found


@pytest.mark.django_db
def test_a_loaded_sandbox_keeps_no_phone_or_email_in_clear_in_its_tables(client: Any) -> None:
    call_command("demo", "--customers", "60", stdout=StringIO())
    values = _sampled_values()
    assert len(values) > 100  # phones, e-mails and WeChat ids of the sandbox
    found = _tables_holding(values)
    for table in ENCRYPTED_TABLES:
        assert table not in found, f"{found[table]} values in clear in {table}"
    others = [t for t in found if not t.startswith(NOT_YET_COVERED)]
    assert others == [], f"plaintext personal values in {others}"
    # Stored as ciphertext under the current key, read back whole.
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM customers_contact WHERE mobile <> '' LIMIT 1")
        (stored,) = cursor.fetchone()
    assert crypto.version_of(stored) == crypto.keyring().current

    # Look-ups go through the blind indexes: the list's search by a whole mobile and by an
    # e-mail, the duplicate check by phone and by e-mail.
    contact = (
        Contact.objects.exclude(mobile="")
        .exclude(email="")
        .filter(customer__owner__role="rep")
        .select_related("customer__owner")[0]
    )
    client.force_login(contact.customer.owner)  # the owner sees the values whole
    national = contact.mobile.removeprefix("+86")  # as people type it
    for query in (national, contact.email.upper()):
        page = client.get("/api/v1/customers", {"q": query})
        assert page.status_code == 200
        numbers = [item["customer_no"] for item in page.json()["items"]]
        assert contact.customer.customer_no in numbers, query
    check = duplicate_check(
        data={
            "name": "完全不同的名字",
            "decision_maker": {"name": "某人", "mobile": contact.mobile},
        }
    )
    assert contact.customer.pk in [m.customer.pk for m in check.matches]


@pytest.mark.django_db
def test_search_and_the_duplicate_check_find_by_phone_suffix_and_email(
    api: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory(
        name="深圳加密测试科技有限公司",
        email="Info@JiaMi.cn",
        decision_maker={"name": "赵明", "mobile": "13912342166", "email": "zhao.ming@jiami.cn"},
    )
    stored = Contact.objects.filter(customer=customer).values_list("mobile_bidx", flat=True)
    assert list(stored) == [crypto.blind("phone", "+8613912342166")]
    api.login(rep)
    for query in ("13912342166", "zhao.ming@jiami.cn", "info@jiami.cn"):
        items = api.get("/api/v1/customers", q=query).json()["items"]
        assert [i["customer_no"] for i in items] == [customer.customer_no], query
    suffix = api.get("/api/v1/search", q="2166").json()
    hits = [h["customer_no"] for g in suffix["groups"] for h in g["hits"]]
    assert customer.customer_no in hits
    for maker in ({"mobile": "139 1234 2166"}, {"email": "ZHAO.MING@jiami.cn"}):
        check = duplicate_check(
            data={"name": "别的公司", "decision_maker": {"name": "甲", **maker}}
        )
        assert customer.pk in [m.customer.pk for m in check.matches], maker


@pytest.mark.django_db
def test_an_encrypted_column_refuses_lookups_by_value(customer_factory: Any) -> None:
    customer_factory(phone="+8613800138000")
    assert Customer.objects.filter(phone="").count() == 0  # "no value" still works
    with pytest.raises(FieldError):
        list(Customer.objects.filter(phone="+8613800138000"))
    with pytest.raises(FieldError):
        list(Contact.objects.filter(mobile__endswith="8000"))
    assert Customer.objects.filter(phone_bidx=crypto.blind("phone", "+8613800138000")).count() == 1


def test_a_value_opens_only_in_its_own_column_and_carries_its_key_version() -> None:
    sealed = crypto.encrypt("+8613800138000", "contacts.contact.mobile")
    assert sealed.startswith(f"kx{crypto.keyring().current}$") and "138" not in sealed
    assert crypto.encrypt("+8613800138000", "contacts.contact.mobile") != sealed  # fresh nonce
    assert crypto.decrypt(sealed, "contacts.contact.mobile") == "+8613800138000"
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(sealed, "customers.customer.phone")
    assert crypto.blind("phone", "+86 138-0013-8000") == crypto.blind("phone", "+8613800138000")
    assert crypto.blind("tail", "+8613800138000") == crypto.blind("tail", "8000")
    assert crypto.blind("email", "A@B.cn") == crypto.blind("email", "a@b.cn")


@pytest.mark.django_db
def test_rotation_adds_a_version_and_leaves_every_value_readable(
    settings: Any, tmp_path: Any, customer_factory: Any
) -> None:
    settings.KEHU_ENCRYPTION_KEYS = ""
    settings.KEHU_ENCRYPTION_KEY_FILE = tmp_path / "keys" / "encryption_keys.json"
    crypto.keyring_reset()
    customers = [
        customer_factory(
            name=f"轮换测试{i}有限公司", phone=f"+86139000000{i:02d}", email=f"a{i}@x.cn"
        )
        for i in range(5)
    ]
    key_file = settings.KEHU_ENCRYPTION_KEY_FILE
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600  # created at first use, private
    before = {
        c.pk: (c.phone, c.email, [(x.mobile, x.email) for x in c.contacts.all()])
        for c in Customer.objects.filter(pk__in=[c.pk for c in customers])
    }
    out = StringIO()
    call_command("rotate_keys", "--batch-size", "2", stdout=out)
    text = out.getvalue()
    assert "key version 2 added" in text and "customers.customer: 2 / 5 rows" in text
    assert "every value is under key version 2" in text
    assert json.loads(key_file.read_text())["current"] == 2
    crypto.keyring_reset()
    after = {
        c.pk: (c.phone, c.email, [(x.mobile, x.email) for x in c.contacts.all()])
        for c in Customer.objects.filter(pk__in=[c.pk for c in customers])
    }
    assert after == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM customers_customer WHERE phone <> ''")
        assert {crypto.version_of(v) for (v,) in cursor.fetchall()} == {2}
    # Resuming finds nothing left; the blind indexes did not change.
    again = StringIO()
    call_command("rotate_keys", "--resume", stdout=again)
    assert "customers.customer: 0 rows re-encrypted" in again.getvalue()
    target = customers[0]
    assert Customer.objects.filter(phone_bidx=crypto.blind("phone", target.phone)).get() == target
    crypto.keyring_reset()


# Two connections at once: the SQLite test database is in memory (shared cache), where a second
# connection's write fails at once ("table is locked") instead of waiting its turn.
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections: PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_edit_while_a_rotation_batch_runs_is_not_overwritten(
    settings: Any, tmp_path: Any, customer_factory: Any, rep: Any, monkeypatch: Any
) -> None:
    """The batch reads and writes its rows in one transaction, locked: a person's edit between
    the read and the write waits for the batch instead of being overwritten by the old value."""
    import threading

    from kehu.customers.services import customer_update

    settings.KEHU_ENCRYPTION_KEYS = ""
    settings.KEHU_ENCRYPTION_KEY_FILE = tmp_path / "keys" / "encryption_keys.json"
    crypto.keyring_reset()
    customer = customer_factory(name="轮换并发验证有限公司", phone="+8613900000001")
    crypto.key_version_add()
    edits: list[threading.Thread] = []

    def edit() -> None:
        try:
            mine = Customer.objects.get(pk=customer.pk)
            customer_update(actor=rep, customer=mine, data={"phone": "+8613900000002"})
        finally:
            connection.close()

    real_decrypt = crypto.decrypt

    def decrypt(value: str, aad: str) -> str:  # the batch has read its rows: someone edits one
        if not edits:
            edits.append(threading.Thread(target=edit))
            edits[0].start()
            edits[0].join(timeout=2)  # it waits for the batch's lock (before: it went through)
        return real_decrypt(value, aad)

    monkeypatch.setattr(crypto_batches, "decrypt", decrypt)
    crypto_batches.reencrypt_model(Customer, batch_size=100)
    edits[0].join(timeout=30)
    assert not edits[0].is_alive()
    monkeypatch.setattr(crypto_batches, "decrypt", real_decrypt)
    customer.refresh_from_db()
    assert customer.phone == "+8613900000002"
    crypto.keyring_reset()
