"""The audit page and GET /api/v1/audit: filters, keyset pages, masking, who may read it."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import Role
from kehu.conftest import make_user
from kehu.customers.services import customer_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def steward(db: Any) -> Any:
    return make_user("steward", Role.STEWARD, None)


def test_only_admin_executive_steward_read_it(
    api: Any, rep: Any, manager: Any, support: Any, marketing: Any, executive: Any,
    steward: Any, admin_user: Any, customer_factory: Any,
):  # fmt: skip
    customer_factory()
    for user in (rep, manager, support, marketing):
        assert api.login(user).get("/api/v1/audit").status_code == 403
        assert api.client.get("/audit/").status_code == 403
    for user in (executive, steward, admin_user):
        response = api.login(user).get("/api/v1/audit")
        assert response.status_code == 200
        assert response.json()["items"]
        assert api.client.get("/audit/").status_code == 200


def test_filters_and_pages(api: Any, rep: Any, executive: Any, customer_factory: Any):
    first = customer_factory()
    second = customer_factory(name="另一家有限公司")
    customer_update(actor=rep, customer=first, data={"notes": "变更"})
    api.login(executive)
    items = api.get("/api/v1/audit", customer=first.customer_no).json()["items"]
    assert items and {i["customer_no"] for i in items} == {first.customer_no}
    items = api.get("/api/v1/audit", action="customer.updated").json()["items"]
    assert [i["customer_no"] for i in items] == [first.customer_no]
    assert api.get("/api/v1/audit", actor="rep").json()["items"]
    assert api.get("/api/v1/audit", actor="nobody").json()["items"] == []
    assert api.get("/api/v1/audit", date_to="2000-01-01").json()["items"] == []
    assert api.get("/api/v1/audit", date_from="2000-01-01", source="system").status_code == 200
    assert api.get("/api/v1/audit", date_from="bad").status_code == 422
    assert api.get("/api/v1/audit", source="bad").status_code == 422
    page = api.get("/api/v1/audit", limit=1).json()
    assert len(page["items"]) == 1 and page["has_more"]
    following = api.get("/api/v1/audit", limit=1, cursor=page["next_cursor"]).json()
    assert following["items"][0]["id"] < page["items"][0]["id"]
    assert second.customer_no in api.client.get("/audit/").content.decode()
    assert api.client.get("/audit/", {"target": second.name}).status_code == 200


def test_changes_are_masked(api: Any, rep: Any, executive: Any, admin_user: Any, customer_factory):
    customer = customer_factory()
    customer_update(actor=rep, customer=customer, data={"phone": "13812345678"})
    api.login(executive)
    item = api.get("/api/v1/audit", action="customer.updated").json()["items"][0]
    assert "13812345678" not in str(item["changes"])
    assert "138****5678" in str(item["changes"])
    page = api.client.get("/audit/", {"action": "customer.updated"}).content.decode()
    assert "13812345678" not in page
    item = api.login(admin_user).get("/api/v1/audit", action="customer.updated").json()["items"][0]
    assert "13812345678" in str(item["changes"])


def test_page_shows_changes_as_people_read_them(
    api: Any, admin_user: Any, manager: Any, customer_factory: Any
) -> None:
    """Field labels and display values, only what changed, the actor's name and the source's
    label; the API keeps the stored values."""
    customer = customer_factory(name="审计展示测试有限公司")
    customer_update(
        actor=manager,
        customer=customer,
        data={"status": "intent", "status_reason": "有采购意向", "city": "杭州市"},
    )
    page = api.login(admin_user).client.get("/audit/", {"action": "customer.updated"})
    assert page.status_code == 200
    table = page.content.decode().split('id="audit-entries"', 1)[1].split("</table>", 1)[0]
    assert "意向客户" in table and "杭州市" in table
    assert "王经理" in table  # the manager's display name, not the username
    row = table.split("<tr", 3)[2]  # the newest entry (after the header row): this change
    assert "<del>潜在客户</del> → <ins>意向客户</ins>" in row
    assert "<ins>杭州市</ins>" in row
    assert "status:" not in row and "intent" not in row and "city:" not in row
    source = row.split('data-label="来源">', 1)[1].split("</td>", 1)[0]
    assert source in {"网页", "接口", "导入", "规则", "命令行", "系统"}, source  # a label
    item = api.get("/api/v1/audit?action=customer.updated").json()["items"][0]
    assert item["changes"]["status"][1] == "intent"
