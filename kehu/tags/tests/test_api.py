"""Tags on a customer through /api/v1/customers/{no}/tags: apply, remove, who may, what is kept."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.audit.models import AuditEntry
from kehu.tags.models import CustomerTag, Tag

pytestmark = pytest.mark.django_db


def _url(customer: Any) -> str:
    return f"/api/v1/customers/{customer.customer_no}/tags"


def test_apply_list_and_remove_a_tag(api: Any, rep: Any, customer_factory: Any) -> None:
    customer = customer_factory()
    api.login(rep)
    response = api.post(_url(customer), {"tag": " 批量采购 "})
    assert response.status_code == 200, response.content
    assert response.json() == {"customer_no": customer.customer_no, "tags": ["批量采购"]}
    assert api.get(_url(customer)).json()["tags"] == ["批量采购"]
    link = CustomerTag.objects.get(customer=customer)
    assert link.tag.name == "批量采购" and link.added_by == rep
    entry = AuditEntry.objects.get(action="customer.tagged", customer_id=customer.pk)
    assert entry.actor == rep and entry.changes == {"tags": [None, "批量采购"]}

    response = api.post(_url(customer), {"tag": "批量采购", "remove": True})
    assert response.status_code == 200 and response.json()["tags"] == []
    assert not CustomerTag.objects.filter(customer=customer).exists()
    assert (
        AuditEntry.objects.filter(action="customer.untagged", customer_id=customer.pk).count() == 1
    )


def test_applying_twice_keeps_one_tag_and_one_entry(
    api: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    api.login(rep)
    api.post(_url(customer), {"tag": "VIP"})
    again = api.post(_url(customer), {"tag": "VIP"})
    assert again.status_code == 200 and again.json()["tags"] == ["VIP"]
    assert CustomerTag.objects.filter(customer=customer).count() == 1
    assert Tag.objects.filter(name="VIP").count() == 1
    assert AuditEntry.objects.filter(action="customer.tagged").count() == 1
    # Removing a tag that is not there changes nothing and records nothing.
    api.post(_url(customer), {"tag": "不存在的标签", "remove": True})
    assert AuditEntry.objects.filter(action="customer.untagged").count() == 0


@pytest.mark.parametrize("tag", ["", "   ", "长" * 51])
def test_a_bad_tag_name_is_named_and_nothing_changes(
    api: Any, rep: Any, customer_factory: Any, tag: str
) -> None:
    customer = customer_factory()
    library = set(Tag.objects.values_list("name", flat=True))  # the shipped presets
    response = api.login(rep).post(_url(customer), {"tag": tag})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["tag"]
    assert not CustomerTag.objects.exists()
    assert set(Tag.objects.values_list("name", flat=True)) == library


def test_outsider_gets_404_and_reader_gets_403_and_nothing_changes(
    api: Any, rep: Any, outsider: Any, executive: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    api.login(rep).post(_url(customer), {"tag": "重点"})
    entries = AuditEntry.objects.count()
    assert api.login(outsider).get(_url(customer)).status_code == 404
    assert api.post(_url(customer), {"tag": "越权"}).status_code == 404
    assert api.login(executive).get(_url(customer)).json()["tags"] == ["重点"]
    refused = api.post(_url(customer), {"tag": "高管打的", "remove": False})
    assert refused.status_code == 403
    assert api.post(_url(customer), {"tag": "重点", "remove": True}).status_code == 403
    assert [t.tag.name for t in CustomerTag.objects.filter(customer=customer)] == ["重点"]
    assert not Tag.objects.filter(name__in=["越权", "高管打的"]).exists()
    assert AuditEntry.objects.count() == entries
