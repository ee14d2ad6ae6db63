"""The audit page reads a data-subject request's entries in the reader's language: what an
export and an erasure counted (联系人, 互动记录, 审计记录, …), the fields a correction changed and
what a redaction committed to, each under its label — never the stored key (issue 19)."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

MOBILE = "13566667777"


def _change_labels(page: str) -> set[str]:
    """The labels of the changes shown (<li>label: …) and of their facts (…；label: …)."""
    labels = set(re.findall(r"<li>([^<:：]+): ", page))
    labels |= set(re.findall(r"；([^<:：；]+): ", page))
    labels |= set(re.findall(r"<ins>([^<:：；]+): ", page))
    return labels


def test_audit_page_names_the_facts_of_privacy_entries(
    api: Any, client: Any, steward: Any, customer_factory: Any
) -> None:
    customer = customer_factory(
        name="华南精密仪器有限公司", decision_maker={"name": "陈静怡", "mobile": MOBILE}
    )
    api.login(steward)
    ids = []
    for kind in ("access", "correction", "erasure"):
        made = api.post("/api/v1/privacy/requests", {"kind": kind, "phone": MOBILE})
        assert made.status_code == 201, made.content
        ids.append(made.json()["id"])
    assert api.get(f"/api/v1/privacy/requests/{ids[0]}/export").status_code == 200
    contact = customer.contacts.get()
    corrected = api.post(
        f"/api/v1/privacy/requests/{ids[1]}/correct",
        {"contact_id": contact.pk, "values": {"title": "采购经理"}},
    )
    assert corrected.status_code == 200, corrected.content
    erased = api.post(f"/api/v1/privacy/requests/{ids[2]}/erase", {"confirm": True})
    assert erased.status_code == 200, erased.content

    zh = api.client.get("/audit/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    labels = _change_labels(zh)
    for raw in ("contacts", "interactions", "audit entries", "orders", "consents"):
        assert raw not in labels, (raw, labels)
    assert {"联系人", "互动记录", "审计记录"} <= labels

    client.cookies["django_language"] = "en"
    en = api.client.get("/audit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    labels = _change_labels(en)
    for raw in ("counts", "entries", "fields"):
        assert raw not in labels, (raw, labels)
    assert {"held", "redacted entries", "corrected fields"} <= labels
    assert "hash now: " in en and "hash before: " in en
    assert "hash: " not in en and "was: " not in en
