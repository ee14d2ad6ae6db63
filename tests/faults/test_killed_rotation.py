"""kill -9 of `kehu rotate_keys` midway (issue 21): every value still decrypts (old version or
new, never a half-written one), the blind indexes still find each row, and
`kehu rotate_keys --resume` finishes under the same key version with the same values."""

from __future__ import annotations

import json
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from kehu.contacts.models import Contact
from kehu.core import crypto
from kehu.customers.models import Customer

from .helpers import kehu, kehu_env, shared_database_url

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CUSTOMERS = 120


def _values() -> dict[int, tuple[Any, ...]]:
    """Every customer's and contact's personal values, decrypted (DecryptionFailed if not)."""
    crypto.keyring_reset()
    values: dict[int, tuple[Any, ...]] = {}
    for customer in Customer.objects.prefetch_related("contacts"):
        values[customer.pk] = (
            customer.phone,
            customer.email,
            sorted((c.mobile, c.email) for c in customer.contacts.all()),
        )
    return values


def _versions(table: str, column: str) -> set[int | None]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")
        return {crypto.version_of(v) for (v,) in cursor.fetchall()}


@pytest.mark.skipif(bool(django_settings.KEHU_ENCRYPTION_KEYS), reason="keys from a key file")
def test_a_rotation_killed_midway_leaves_every_value_readable_and_resumes(
    settings: Any, tmp_path: Path, customer_factory: Any
) -> None:
    settings.KEHU_ENCRYPTION_KEYS = ""
    key_file = tmp_path / "keys" / "encryption_keys.json"
    settings.KEHU_ENCRYPTION_KEY_FILE = key_file
    crypto.keyring_reset()
    for n in range(CUSTOMERS):
        customer_factory(
            name=f"密钥轮换{n:03d}号有限公司", phone=f"+861390000{n:04d}", email=f"r{n}@x.cn"
        )
    before = _values()
    env = kehu_env(shared_database_url(), tmp_path, KEHU_ENCRYPTION_KEY_FILE=str(key_file))

    rotation = kehu("rotate_keys", "--batch-size", "5", env=env)
    assert rotation.stdout is not None
    seen = []
    for line in rotation.stdout:  # killed once it has re-encrypted some customers, not all
        seen.append(line)
        if "customers.customer: 10 /" in line:
            rotation.send_signal(signal.SIGKILL)
            break
    rotation.wait(timeout=30)
    assert rotation.returncode == -signal.SIGKILL, "".join(seen)
    time.sleep(0.5)  # its server process notices the closed connection and rolls back

    assert json.loads(key_file.read_text())["current"] == 2  # the key file is whole
    versions = _versions("customers_customer", "phone")
    assert versions == {1, 2}, versions  # really midway: some rows under each version
    assert _values() == before  # every value decrypts, to what it was
    target = Customer.objects.order_by("-pk").first()
    assert target is not None  # a row not rotated yet is found by its blind index as before
    assert Customer.objects.get(phone_bidx=crypto.blind("phone", target.phone)) == target

    finish = kehu("rotate_keys", "--resume", env=env)
    out = finish.communicate(timeout=300)[0]
    assert finish.returncode == 0, out
    assert "every value is under key version 2" in out
    assert _versions("customers_customer", "phone") == {2}
    assert _versions("customers_contact", "mobile") == {2}
    assert _values() == before
    assert Customer.objects.count() == CUSTOMERS
    assert Contact.objects.count() == CUSTOMERS
    # The interrupted run added one version; resuming added none.
    assert sorted(json.loads(key_file.read_text())["keys"]) == ["1", "2"]
    shutil.rmtree(tmp_path / "keys", ignore_errors=True)
    call_command("check", verbosity=0)
