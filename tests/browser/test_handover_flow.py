"""A manager hands over a departing rep in Chromium (issue 14.1): the default successor is
chosen, every customer left on "default" goes to them, the confirmation shows the counts per
successor and the pool before anything changes, and the successor is told."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.accounts.models import Notification, User
from kehu.collab.models import HandOver
from kehu.customers.models import Customer
from kehu.interactions.services.followups import followup_create
from kehu.opportunities.services import opportunity_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_manager_hands_over_with_a_default_successor_and_confirms_the_counts(
    live_server: Any, browser: Any, manager: User, rep: User, rep2: User, customer_factory: Any
) -> None:
    device = TOTPDevice.objects.create(user=manager, name="手机", confirmed=True)
    customers = [customer_factory(name=f"交接{i}号贸易有限公司") for i in range(5)]
    opportunity_create(actor=rep, customer=customers[0], data={"title": "年度采购"})
    followup_create(actor=rep, customer=customers[1], kind="next_action", title="回访", owner=rep)
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "manager")
        page.fill("#id_password", "pass-for-tests-2026")
        page.locator("form:has(#id_password) [type=submit]").first.click()
        page.wait_for_url("**/otp/**")  # a manager signs in with the second factor
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.fill("#id_token", f"{code:06d}")
        page.locator("#otp-form [type=submit]").click()
        page.wait_for_url(lambda url: "/otp/" not in url and "/login/" not in url)

        page.goto(f"{live_server.url}/users/")
        page.locator(f"a.handover-link[href='/users/{rep.pk}/handover/']").click()
        page.wait_for_url(f"**/users/{rep.pk}/handover/")
        page.select_option("#handover-default", "rep2")
        # One customer goes to the pool on purpose; the other four stay on "default".
        page.select_option(f"select[name='to_{customers[4].customer_no}']", "pool")
        page.locator("#handover-review").click()

        plan = page.locator("#handover-plan")
        plan.wait_for()
        successor = plan.locator("tr.plan-successor[data-username='rep2']")
        assert successor.locator(".count-customers").inner_text() == "4"
        assert plan.locator("tr.plan-pool .count-customers").inner_text() == "1"
        assert Customer.objects.filter(owner=rep).count() == 5  # nothing changed yet
        assert not HandOver.objects.exists()

        page.locator("#handover-confirm").click()
        page.wait_for_url("**/users/")
        assert Customer.objects.filter(owner=rep2).count() == 4
        pooled = Customer.objects.get(pk=customers[4].pk)
        assert pooled.owner_id is None and pooled.team_id == rep.team_id
        rep.refresh_from_db()
        assert not rep.is_active
        assert rep2.opportunities.get().title == "年度采购"
        assert rep2.follow_ups.get().title == "回访"
        assert Notification.objects.filter(user=rep2, message__contains="张销售").exists()
    finally:
        context.close()
