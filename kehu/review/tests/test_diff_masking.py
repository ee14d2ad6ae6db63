"""The review queue's change rows mask a sensitive custom field's values (身份证号) as the
rest of the app does (kehu.customers.masking): whole only for who sees the customer's personal
data whole (the owner's manager), masked for a reviewer who does not (the customer has since
gone to another team)."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.customers.models import Customer
from kehu.review.models import ReviewItem

pytestmark = pytest.mark.django_db

ID_NUMBER = "330106198801012345"


def test_review_rows_mask_sensitive_custom_values(
    api: Any,
    client: Any,
    admin_user: Any,
    rep: Any,
    manager: Any,
    outsider: Any,
    customer_factory: Any,
) -> None:
    made = api.login(admin_user).post(
        "/api/v1/custom-fields",
        {"entity": "customer", "key": "legal_id", "label": "法人身份证号",
         "personal_class": "sensitive"},
    )  # fmt: skip
    assert made.status_code == 201, made.content
    customer = customer_factory(name="天津市乐责亿电子商务有限公司", status="lead")
    api.login(rep)
    held = api.patch(
        f"/api/v1/customers/{customer.customer_no}",
        {"name": "天津市乐责亿电子商务股份有限公司", "custom_fields": {"legal_id": ID_NUMBER}},
    )
    assert held.status_code == 202, held.content
    item = ReviewItem.objects.get(customer=customer)
    assert any(ID_NUMBER in str(row.get("after")) for row in item.diff)

    client.force_login(manager)  # the owner's manager sees personal data whole
    assert ID_NUMBER in client.get("/review/").content.decode()

    Customer.objects.filter(pk=customer.pk).update(owner=outsider, team=outsider.team)
    page = client.get("/review/").content.decode()
    assert f'id="review-{item.pk}"' in page  # still the team's item to decide
    assert ID_NUMBER not in page
    assert "330***********2345" in page
    detail = client.get(f"/review/{item.pk}/").content.decode()
    assert ID_NUMBER not in detail and "330***********2345" in detail
