"""A wrong entry in the 360 page's "add an opportunity" form comes back with what was typed."""

from __future__ import annotations

from typing import Any

from kehu.opportunities.models import Opportunity


def test_a_wrong_entry_keeps_what_was_typed(client: Any, rep: Any, customer_factory: Any) -> None:
    customer = customer_factory(name="华南五金制品有限公司")
    client.force_login(rep)
    response = client.post(
        f"/customers/{customer.customer_no}/opportunities/new/",
        {
            "title": "二期厂房照明改造",
            "expected_amount": "很多",
            "stage": "proposal",
            "expected_close_date": "2027-03-31",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="二期厂房照明改造"' in html
    assert 'value="很多"' in html
    assert 'value="2027-03-31"' in html
    assert '<option value="proposal" selected' in html
    assert '<details id="opportunity-add" open' in html
    assert Opportunity.objects.count() == 0
