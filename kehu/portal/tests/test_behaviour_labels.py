"""The 360 page's behaviour trail names an event's properties by their labels, not the raw
keys the loader and the tracking snippet store (page_or_topic)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kehu.interactions.models import BehaviourEvent


def test_behaviour_trail_shows_property_labels(
    client: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="行为轨迹测试有限公司")
    BehaviourEvent.objects.create(
        customer=customer,
        kind=BehaviourEvent.Kind.WEB_VISIT,
        occurred_at=timezone.now(),
        properties={"page_or_topic": "产品报价页", "utm_source": "baidu"},
    )
    client.force_login(rep)
    client.cookies["django_language"] = "en"
    html = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert "page_or_topic" not in html
    assert "page or topic: 产品报价页" in html
    assert "utm_source: baidu" in html  # a key only its sender knows stays as sent
