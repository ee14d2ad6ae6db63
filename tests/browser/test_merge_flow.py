"""A data steward merges two records of one company in Chromium, follows the old address, undoes
the merge, and runs a duplicate scan from the page watching its progress (issue 14.6)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from kehu.accounts.models import Role
from kehu.conftest import make_user
from kehu.contacts.models import Contact
from kehu.customers.masking import pii_value
from kehu.customers.models import Customer
from kehu.dedupe.models import DuplicatePair, Merge

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_steward_merges_follows_the_old_address_undoes_and_scans(
    live_server: Any,
    browser: Any,
    settings: Any,
    rep: Any,
    outsider: Any,
    customer_factory: Any,
) -> None:
    settings.KEHU_REQUIRE_2FA = False  # signing in is tests/browser/test_two_factor_flow.py's
    steward = make_user("steward", Role.STEWARD, None, display_name="数据管理员")
    registered = customer_factory(
        name="深圳市华信软件有限公司",
        email="wang.jianguo@huaxin.cn",
        decision_maker={"name": "王建国", "title": "总经理", "mobile": "13912345678"},
    )
    won = customer_factory(  # the approved 成交 record, short name, another team's owner
        name="华信软件",
        status="won",
        decision_maker={"name": "Wang Jianguo", "mobile": "139 1234 5678"},
    )
    Customer.objects.filter(pk=won.pk).update(owner=outsider, team=outsider.team)
    DuplicatePair.objects.create(customer_a=registered, customer_b=won, score=0.97)
    other = customer_factory(name="杭州云帆软件有限公司")
    DuplicatePair.objects.create(
        customer_a=other, customer_b=customer_factory(name="云帆软件"), score=0.91
    )
    masked = pii_value(steward, registered, "email")

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "steward")
        page.fill("#id_password", "pass-for-tests-2026")
        page.locator("form:has(#id_password) [type=submit]").first.click()
        page.wait_for_load_state()

        # The pairs, filtered by a name.
        page.goto(f"{live_server.url}/dedupe/")
        assert page.locator("a.review-pair").count() == 2
        page.fill("#pair-filters input[name=q]", "华信")
        page.locator("#pair-filters .searchbar button").click()
        page.wait_for_url("**/dedupe/?q=*")
        assert page.locator("a.review-pair").count() == 1
        page.locator("a.review-pair").click()
        page.wait_for_url("**/dedupe/pairs/*/")

        # Side by side: masked as on the 360 page, the defaults keep the registered name and the
        # furthest status, the owner stays and the page says so; the two 王建国 become one.
        content = page.content()
        assert masked in content and registered.email not in content
        assert page.locator("#owner-note.warning").is_visible()
        assert page.locator("tr[data-field=name] input[value=survivor]").is_checked()
        assert page.locator("tr[data-field=status] input[value=merged]").is_checked()
        assert page.locator("tr[data-field=owner_id] input[value=survivor]").is_checked()
        assert page.locator("li.contact-fold").count() == 1
        page.locator("#merge-button").click()
        page.wait_for_url("**/dedupe/")
        assert (
            f"{won.customer_no} 已合并到 {registered.customer_no}"
            in page.locator("#messages").inner_text()
        )

        # The old address leads to the survivor: 成交, the registered name, one 王建国.
        page.goto(f"{live_server.url}/customers/{won.customer_no}/")
        page.wait_for_url(f"**/customers/{registered.customer_no}/")
        assert page.locator("#customer-name").inner_text() == "深圳市华信软件有限公司"
        assert "成交客户" in page.locator("#customer-header").inner_text()
        assert Contact.objects.filter(customer=registered).count() == 1

        # Undo from the list brings the 成交 record back at its own address.
        page.goto(f"{live_server.url}/dedupe/")
        page.locator("#merges button.undo-merge").first.click()
        page.wait_for_url("**/dedupe/")
        assert Merge.objects.get().undone_at is not None
        page.goto(f"{live_server.url}/customers/{won.customer_no}/")
        assert page.locator("#customer-name").inner_text() == "华信软件"

        # A scan started from the page; its progress shows there and refreshes by itself.
        page.goto(f"{live_server.url}/dedupe/")
        page.locator("#scan-start").click()
        page.wait_for_url("**/dedupe/")
        page.locator("#scan-job #job-progress[data-status=queued]").wait_for()
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        page.locator("#scan-job #job-progress[data-status=succeeded]").wait_for()
    finally:
        context.close()
