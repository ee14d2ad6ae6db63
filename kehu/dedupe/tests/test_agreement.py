"""The scan and the on-save check agree (issue 13.6): on the shared generator's data, every pair
the scan reports above the threshold is warned on save, and every warning on save is a pair the
scan reports. Both use kehu.customers.matching (one normaliser, features, weights)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from kehu.customers.matching import find_matches
from kehu.customers.models import Customer
from kehu.dedupe.scan import scan_customers
from kehu.sandbox.loader import load

pytestmark = pytest.mark.django_db

GENERATOR = Path(settings.REPO_DIR) / "kehu" / "sandbox" / "gen_cn_customers.py"
SHARED = Path(settings.REPO_DIR).parent / "shared" / "data" / "gen_cn_customers.py"


def _generate(folder: Path, customers: int, seed: int) -> Path:
    script = SHARED if SHARED.exists() else GENERATOR
    args = ["--customers", str(customers), "--seed", str(seed), "--out", str(folder)]
    args += ["--interactions", "0", "--orders", "0", "--events", "0"]
    subprocess.run([sys.executable, str(script), *args], check=True, capture_output=True)
    return folder


def _payload(customer: Customer) -> dict[str, Any]:
    """The customer as a form or an import row would send it."""
    return {
        "kind": customer.kind,
        "name": customer.name,
        "credit_code": customer.credit_code,
        "city": customer.city,
        "address": customer.address,
        "phone": customer.phone,
        "email": customer.email,
        "contacts": [
            {"name": c.name, "title": c.title, "mobile": c.mobile, "landline": c.landline,
             "email": c.email}
            for c in customer.contacts.all()
        ],
    }  # fmt: skip


def test_scan_and_check_report_the_same_pairs(tmp_path: Path, admin_user: Any) -> None:
    load(_generate(tmp_path / "data", 1500, 13), created_by=admin_user)
    threshold = settings.KEHU_DEDUPE_SCAN_THRESHOLD
    scanned = {(p.id_a, p.id_b) for p in scan_customers(threshold=threshold)}
    assert len(scanned) > 150  # the generator makes ~10% of the companies twice or more
    warned: set[tuple[int, int]] = set()
    for customer in Customer.objects.prefetch_related("contacts"):
        for match in find_matches(_payload(customer), exclude_id=customer.pk, threshold=threshold):
            warned.add((min(customer.pk, match.customer.pk), max(customer.pk, match.customer.pk)))
    assert scanned - warned == set(), "pairs the scan reports but saving would not warn about"
    assert warned - scanned == set(), "warnings on save that the scan does not report"
