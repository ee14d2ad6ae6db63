"""An opportunity entered as lost (输单) needs its lost reason, from the API and from the 360
page, as a move to lost on the board does; an import may still record one without."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from kehu.opportunities.models import Opportunity
from kehu.opportunities.services import opportunity_create


def test_api_create_lost_without_reason_is_422_naming_the_field(
    api: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="华南五金制品有限公司")
    api.login(rep)
    url = f"/api/v1/customers/{customer.customer_no}/opportunities"
    response = api.post(url, {"title": "年度采购", "stage": "lost"})
    assert response.status_code == 422, response.content
    assert "lost_reason" in response.content.decode()
    assert Opportunity.objects.count() == 0
    created = api.post(url, {"title": "年度采购", "stage": "lost", "lost_reason": "预算不足"})
    assert created.status_code == 201, created.content
    reason = Opportunity.objects.get().lost_reason
    assert reason is not None and reason.name == "预算不足"


def test_page_create_lost_without_reason_names_the_field_by_label(
    client: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="华南五金制品有限公司")
    client.force_login(rep)
    client.cookies["django_language"] = "en"
    url = f"/customers/{customer.customer_no}/opportunities/new/"
    with translation.override("en"):
        response = client.post(url, {"title": "年度采购", "stage": "lost"}, follow=True)
    shown = [str(m).split(": ")[0] for m in response.context["messages"]]
    assert shown == ["lost reason"]
    assert Opportunity.objects.count() == 0
    response = client.post(url, {"title": "年度采购", "stage": "lost", "lost_reason": "预算不足"})
    reason = Opportunity.objects.get().lost_reason
    assert reason is not None and reason.name == "预算不足"


def test_an_import_may_still_record_a_lost_deal_without_reason(
    rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="华南五金制品有限公司")
    opportunity = opportunity_create(
        actor=rep,
        customer=customer,
        data={"title": "旧单", "stage": "lost"},
        lost_reason_required=False,
    )
    assert opportunity.stage == "lost" and opportunity.lost_reason is None
