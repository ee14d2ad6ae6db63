"""A rep edits a contact from the 360 page at phone size, marks another as left on a date and
undoes it, in Chromium (issue 15, contacts)."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.customers.services import contact_create

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_edit_a_contact_and_mark_one_as_left_at_phone_size(
    live_server: Any, phone_page: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="手机编辑科技有限公司")
    contact = customer.contacts.get()
    other = contact_create(
        actor=rep, customer=customer, data={"name": "钱采购", "mobile": "13912345670"}
    )
    page = phone_page
    sign_in(page, live_server.url, "rep")

    page.goto(f"{live_server.url}/customers/{customer.customer_no}/")
    page.locator(f"#contact-edit-{contact.pk}").click()
    page.wait_for_url(f"**/contacts/{contact.pk}/edit/")
    # The form fits the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("#contact_title", "副总经理")
    page.fill("#contact_email", "not-an-email")
    page.locator("#contact-edit-form [type=submit]").click()
    assert page.locator("#error-email").is_visible()
    page.fill("#contact_email", "jg.wang@example.cn")
    page.locator("#contact-edit-form [type=submit]").click()
    page.wait_for_url(f"**/customers/{customer.customer_no}/**")
    assert "副总经理" in page.locator(f"#contact-{contact.pk}").inner_text()
    contact.refresh_from_db()
    assert (contact.title, contact.email) == ("副总经理", "jg.wang@example.cn")

    item = page.locator(f"#contact-{other.pk}")
    item.locator("summary", has_text="标记为已离职").click()
    item.locator("input[name=left_on]").fill("2026-03-01")
    item.locator("form[id^=contact-left] [type=submit]").click()
    page.wait_for_url(f"**/customers/{customer.customer_no}/**")
    assert "2026-03-01" in page.locator(f"#contact-{other.pk}").inner_text()
    page.locator(f"#contact-rejoin-{other.pk}").click()
    page.wait_for_url(f"**/customers/{customer.customer_no}/**")
    other.refresh_from_db()
    assert not other.has_left and other.left_on is None
