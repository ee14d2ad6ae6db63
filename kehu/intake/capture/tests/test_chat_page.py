"""The chat capture page shows a quantity range beside the lower bound it takes (issue 14.8)."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.opportunities.models import Opportunity

pytestmark = pytest.mark.django_db


def test_preview_shows_the_range_and_saves_nothing(
    client: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    client.force_login(rep)
    response = client.post(
        f"/customers/{customer.customer_no}/capture/chat/",
        {"text": "要二三十台投影仪，预算两三万"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="draft-quantity">20台 <span' in body
    assert "（范围 20–30台，取下限）" in body
    assert 'id="draft-budget">30000 ' in body  # a budget range takes the upper bound
    assert Opportunity.objects.count() == 0


def test_a_single_quantity_shows_no_range(client: Any, rep: Any, customer_factory: Any) -> None:
    customer = customer_factory()
    client.force_login(rep)
    response = client.post(
        f"/customers/{customer.customer_no}/capture/chat/",
        {"text": "需要1,500件防护服"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert 'id="draft-quantity">1500件</dd>' in body
    assert "draft-quantity-range" not in body
