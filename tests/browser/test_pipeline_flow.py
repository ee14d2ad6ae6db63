"""The pipeline board in Chromium (issue 16): a rep drags an opportunity card to 赢单, gives the
won amount and gets the order; at phone size a card moves with its stage menu."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.opportunities.models import LostReason, Opportunity, OpportunityStageChange
from kehu.opportunities.services import opportunity_create
from kehu.workflow.services.setup import rules_defaults_ensure

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def shipped_defaults(db: Any) -> None:
    """The lost reasons and the workflow's rules the migrations ship. A transactional test's
    serialized rollback should restore them, but after a run of non-transactional tests it was
    seen not to (the tables were empty); the tests make sure of their own data."""
    LostReason.objects.get_or_create(name="预算不足", defaults={"position": 3})
    rules_defaults_ensure()


@pytest.fixture
def desktop_page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _deal(rep: Any, customer_factory: Any) -> Opportunity:
    customer = customer_factory(name="拖拽测试机械有限公司")
    return opportunity_create(
        actor=rep,
        customer=customer,
        data={"title": "产线改造", "expected_amount": "200000", "stage": "negotiation"},
    )


def _drag_to_won(
    page: Any, base: str, deal: Opportunity, username: str, device: Any = None
) -> None:
    """Sign in, drag the deal's card to 赢单 on the board, give the won amount, create the order."""
    sign_in(page, base, username, device=device)
    page.goto(f"{base}/opportunities/")
    card = page.locator(f"#card-{deal.pk}")
    target = page.locator('.pipeline-cards[data-stage="won"]')
    page.wait_for_function("typeof Sortable !== 'undefined'")
    box, drop = card.bounding_box(), target.bounding_box()
    # Grab the card by its edge (its links and menu are not handles).
    x, y = box["x"] + 4, box["y"] + 4
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 21):  # SortableJS follows the pointer
        page.mouse.move(x + (drop["x"] + 40 - x) * step / 20, y + (drop["y"] + 30 - y) * step / 20)
    page.mouse.up()
    dialog = page.locator("#stage-dialog")
    dialog.wait_for(state="visible")
    assert "赢单" in page.locator("#stage-dialog-title").inner_text()
    page.fill("#stage-dialog-amount", "19万")
    dialog.locator("input[name=create_order]").check()
    page.locator("#stage-dialog-save").click()
    page.wait_for_selector(f'.pipeline-cards[data-stage="won"] #card-{deal.pk}')


def test_drag_a_card_to_won(
    live_server: Any, desktop_page: Any, rep: Any, customer_factory: Any
) -> None:
    deal = _deal(rep, customer_factory)
    _drag_to_won(desktop_page, live_server.url, deal, "rep")
    deal.refresh_from_db()
    assert deal.stage == "won"
    assert deal.expected_amount == Decimal("190000")
    assert deal.won_order is not None
    move = OpportunityStageChange.objects.get(opportunity=deal, to_stage="won")
    assert (move.from_stage, move.changed_by) == ("negotiation", rep)


def test_a_won_deal_reaches_support(
    live_server: Any,
    desktop_page: Any,
    rep: Any,
    manager: Any,
    support: Any,
    customer_factory: Any,
) -> None:
    """A manager drags the deal to 赢单: the customer becomes 成交客户, the worker runs the rules,
    and support finds the notification on its notifications page, linked to the customer."""
    deal = _deal(rep, customer_factory)
    page = desktop_page
    device = TOTPDevice.objects.create(user=manager, name="手机", confirmed=True)
    _drag_to_won(page, live_server.url, deal, "manager", device=device)
    deal.customer.refresh_from_db()
    assert deal.customer.status == "won"
    call_command("workflow_tick", verbosity=0)  # what the worker's tick does
    page.context.clear_cookies()
    sign_in(page, live_server.url, "support")
    page.goto(f"{live_server.url}/notifications/")
    notice = page.locator("main").get_by_text("拖拽测试机械有限公司").first
    notice.wait_for()
    page.locator(f'main a[href*="/customers/{deal.customer.customer_no}/"]').first.click()
    page.wait_for_url(f"**/customers/{deal.customer.customer_no}/**")


def test_stage_menu_at_phone_size(
    live_server: Any, phone_page: Any, rep: Any, customer_factory: Any
) -> None:
    deal = _deal(rep, customer_factory)
    page = phone_page
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, live_server.url, "rep")
    page.goto(f"{live_server.url}/opportunities/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    card = page.locator(f"#card-{deal.pk}")
    card.locator("select[name=stage]").select_option("proposal")
    card.locator(".stage-menu [type=submit]").click()
    page.wait_for_selector(f'.pipeline-cards[data-stage="proposal"] #card-{deal.pk}')
    deal.refresh_from_db()
    assert deal.stage == "proposal"
    # Lost asks for the reason in the dialog.
    card = page.locator(f"#card-{deal.pk}")
    card.locator("select[name=stage]").select_option("lost")
    card.locator(".stage-menu [type=submit]").click()
    page.locator("#stage-dialog").wait_for(state="visible")
    page.select_option("#stage-dialog-reason", "预算不足")
    page.locator("#stage-dialog-save").click()
    page.wait_for_selector(f'.pipeline-cards[data-stage="lost"] #card-{deal.pk}')
    deal.refresh_from_db()
    assert deal.stage == "lost"
    assert deal.lost_reason is not None and deal.lost_reason.name == "预算不足"
    # The opportunity page fits the phone and shows the history.
    page.goto(f"{live_server.url}/opportunities/{deal.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert "预算不足" in page.locator("#opportunity-lost-reason").inner_text()
    assert page.locator("#stage-history tbody tr").count() == 3
