"""Support calls a won customer from its 360 page on a phone: the masked number, a reason, the
whole number as a tel: link; the reveal audited with the reason."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.audit.models import AuditEntry

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_support_reveals_a_won_customers_phone_to_call(
    live_server: Any, phone_page: Any, support: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="成交回访有限公司", status="won", status_reason="签约")
    contact = customer.contacts.get()
    page = phone_page
    sign_in(page, live_server.url, support.username)
    page.goto(f"{live_server.url}/customers/{customer.customer_no}/")
    reveal = page.locator("details.reveal-call").first
    reveal.scroll_into_view_if_needed()
    assert contact.mobile[-8:] not in page.content()
    reveal.locator("summary").click()
    form = reveal.locator("form")
    form.locator("[name=reason]").fill("售后回访")
    form.locator("button[type=submit]").click()
    link = page.locator("a.tel.revealed").first
    link.wait_for()
    assert link.get_attribute("href") == f"tel:{contact.mobile}"
    entry = AuditEntry.objects.get(action="field.revealed")
    assert entry.actor_id == support.pk and entry.note == "售后回访"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
