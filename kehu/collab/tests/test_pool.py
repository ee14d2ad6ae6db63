"""The team pool (公海): reps claim (a daily limit an administrator sets) and return with a
reason, both audited; the pool page lists what may be claimed (issue 14.3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from kehu.accounts.models import Team, User
from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.customers.services import customer_assign_pool
from kehu.interactions.models import FollowUp
from kehu.interactions.services.followups import followup_create
from kehu.opportunities.models import Opportunity
from kehu.opportunities.services import opportunity_create

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def pooled(customer_factory: Any, manager: User, team_east: Team) -> Any:
    """Customers in the 华东 pool: created by the manager, then put into the pool."""

    def make(name: str, **data: Any) -> Customer:
        customer = customer_factory(actor=manager, name=name, **data)
        return customer_assign_pool(actor=manager, customer=customer, team=team_east)

    return make


def state(customer: Customer) -> tuple[Any, ...]:
    customer.refresh_from_db()
    return (customer.owner_id, customer.team_id)


def test_rep_claims_a_pool_customer(api: Any, rep: User, pooled: Any) -> None:
    customer = pooled("池中科技有限公司")
    assert customer.owner_id is None
    api.login(rep)
    response = api.post(f"/api/v1/pool/{customer.customer_no}/claim")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["owner"] == "rep" and body["claims_today"] == 1 and body["claim_limit"] == 10
    customer.refresh_from_db()
    assert customer.owner == rep and customer.team == rep.team
    entry = AuditEntry.objects.get(action="customer.claimed")
    assert entry.actor == rep and entry.customer_id == customer.pk
    assert entry.changes == {"owner": [None, "张销售"]}
    mine = api.get("/api/v1/customers", owner="me").json()["items"]
    assert [c["customer_no"] for c in mine] == [customer.customer_no]
    found = api.get("/api/v1/search", q="池中科技").json()
    assert customer.customer_no in str(found)


def test_claim_limit_per_day_set_by_the_admin(
    api: Any, rep: User, admin_user: User, team_east: Team, pooled: Any
) -> None:
    customers = [pooled(f"限额{i}号有限公司") for i in range(3)]
    api.login(admin_user)
    response = api.patch(f"/api/v1/teams/{team_east.pk}", {"pool_claim_daily_limit": 2})
    assert response.status_code == 200 and response.json()["pool_claim_daily_limit"] == 2
    assert AuditEntry.objects.filter(action="team.updated").count() == 1
    api.login(rep)
    with time_machine.travel(datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI), tick=False):
        for customer in customers[:2]:
            assert api.post(f"/api/v1/pool/{customer.customer_no}/claim").status_code == 200
        audit_before = AuditEntry.objects.count()
        response = api.post(f"/api/v1/pool/{customers[2].customer_no}/claim")
        assert response.status_code == 403
        assert "2" in response.json()["detail"]
        assert state(customers[2]) == (None, team_east.pk)
        assert AuditEntry.objects.count() == audit_before
    with time_machine.travel(datetime(2026, 12, 8, 0, 5, tzinfo=SHANGHAI), tick=False):
        assert api.post(f"/api/v1/pool/{customers[2].customer_no}/claim").status_code == 200


def test_a_limit_of_zero_turns_claiming_off(
    api: Any, rep: User, admin_user: User, team_east: Team, pooled: Any
) -> None:
    customer = pooled("停领客户有限公司")
    api.login(admin_user).patch(f"/api/v1/teams/{team_east.pk}", {"pool_claim_daily_limit": 0})
    response = api.login(rep).post(f"/api/v1/pool/{customer.customer_no}/claim")
    assert response.status_code == 403
    assert state(customer) == (None, team_east.pk)


def test_only_the_team_claims_and_only_from_the_pool(
    api: Any, rep: User, rep2: User, outsider: User, pooled: Any, customer_factory: Any
) -> None:
    customer = pooled("华东池客户有限公司")
    owned = customer_factory(name="已有主客户有限公司")  # the rep's
    response = api.login(outsider).post(f"/api/v1/pool/{customer.customer_no}/claim")
    assert response.status_code == 404  # another team's pool is not even visible
    response = api.login(rep).post(f"/api/v1/pool/{owned.customer_no}/claim")
    assert response.status_code == 403
    assert api.login(rep2).post(f"/api/v1/pool/{customer.customer_no}/claim").status_code == 200
    response = api.login(rep).post(f"/api/v1/pool/{customer.customer_no}/claim")
    assert response.status_code == 404  # rep2's now: the rep no longer sees it
    assert state(customer)[0] == rep2.pk and state(owned)[0] == rep.pk
    assert AuditEntry.objects.filter(action="customer.claimed").count() == 1


def test_owner_returns_with_a_reason_audited(
    api: Any, rep: User, rep2: User, customer_factory: Any, team_east: Team
) -> None:
    customer = customer_factory(name="退回客户有限公司")
    opportunity = opportunity_create(actor=rep, customer=customer, data={"title": "试单"})
    task = followup_create(actor=rep, customer=customer, kind="next_action", title="回访")
    api.login(rep)
    response = api.post(f"/api/v1/pool/{customer.customer_no}/return", {"reason": "  "})
    assert response.status_code == 422 and "reason" in response.json()["errors"]
    assert state(customer) == (rep.pk, team_east.pk)
    response = api.post(
        f"/api/v1/pool/{customer.customer_no}/return", {"reason": "客户暂无采购计划"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["owner"] is None and response.json()["team"] == "华东销售部"
    assert state(customer) == (None, team_east.pk)
    entry = AuditEntry.objects.get(action="customer.returned")
    assert entry.note == "客户暂无采购计划" and entry.actor == rep
    assert Opportunity.objects.get(pk=opportunity.pk).owner is None
    assert FollowUp.objects.get(pk=task.pk).owner is None
    # The teammate finds it in the pool, with the reason, and claiming brings the work along.
    pool = api.login(rep2).get("/api/v1/pool").json()
    assert [(c["name"], c["reason"]) for c in pool["items"]] == [
        ("退回客户有限公司", "客户暂无采购计划")
    ]
    assert pool["items"][0]["url"] == f"/customers/{customer.customer_no}/"
    assert api.post(f"/api/v1/pool/{customer.customer_no}/claim").status_code == 200
    assert Opportunity.objects.get(pk=opportunity.pk).owner == rep2
    assert FollowUp.objects.get(pk=task.pk).owner == rep2


def test_only_the_owner_or_the_manager_returns(
    api: Any,
    rep: User,
    rep2: User,
    manager: User,
    executive: User,
    customer_factory: Any,
    pooled: Any,
) -> None:
    customer = customer_factory(name="别人的客户有限公司")
    body = {"reason": "不想跟了"}
    assert (
        api.login(rep2).post(f"/api/v1/pool/{customer.customer_no}/return", body).status_code == 404
    )
    response = api.login(executive).post(f"/api/v1/pool/{customer.customer_no}/return", body)
    assert response.status_code == 403
    assert state(customer)[0] == rep.pk
    assert not AuditEntry.objects.filter(action="customer.returned").exists()
    response = api.login(manager).post(f"/api/v1/pool/{customer.customer_no}/return", body)
    assert response.status_code == 200
    again = api.post(f"/api/v1/pool/{customer.customer_no}/return", body)
    assert again.status_code == 409  # in the pool already


def test_pool_page_lists_what_may_be_claimed_with_paging(
    client: Client, rep: User, outsider: User, pooled: Any, customer_factory: Any, team_south: Any
) -> None:
    names = [f"公海{i:02d}号贸易有限公司" for i in range(30)]
    customers = [pooled(name) for name in names]
    southern = customer_factory(actor=outsider, name="华南池客户有限公司")
    customer_assign_pool(actor=_admin(), customer=southern, team=team_south)
    client.force_login(rep)
    first = client.get("/pool/")
    assert first.status_code == 200
    html = first.content.decode()
    assert html.count('class="pool-row"') == 25
    assert "华南池客户有限公司" not in html  # another team's pool
    newest = customers[-1]
    assert f'href="/customers/{newest.customer_no}/"' in html and newest.name in html
    assert html.count('class="claim-button"') == 25
    assert "?page=2" in html
    second = client.get("/pool/?page=2").content.decode()
    assert second.count('class="pool-row"') == 5
    assert customers[0].name in second


def test_claim_and_return_pages(client: Client, rep: User, pooled: Any, team_east: Team) -> None:
    customer = pooled("页面领取有限公司")
    client.force_login(rep)
    detail = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert 'id="claim-customer"' in detail and 'id="return-customer"' not in detail
    assert client.get(f"/pool/{customer.customer_no}/claim/").status_code == 200
    response = client.post(f"/pool/{customer.customer_no}/claim/")
    assert response.status_code == 302 and response["Location"].endswith(
        f"/customers/{customer.customer_no}/"
    )
    detail = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert 'id="return-customer"' in detail and 'id="claim-customer"' not in detail
    empty = client.post(f"/pool/{customer.customer_no}/return/", {"reason": ""})
    assert empty.status_code == 422 and 'id="return-errors"' in empty.content.decode()
    assert state(customer) == (rep.pk, team_east.pk)
    done = client.post(f"/pool/{customer.customer_no}/return/", {"reason": "预算取消"})
    assert done.status_code == 302
    assert state(customer) == (None, team_east.pk)
    assert "预算取消" in client.get("/pool/").content.decode()


def test_claim_page_refuses_what_may_not_be_claimed(
    client: Client, rep: User, customer_factory: Any
) -> None:
    owned = customer_factory(name="自己的客户有限公司")
    client.force_login(rep)
    assert client.get(f"/pool/{owned.customer_no}/claim/").status_code == 403
    response = client.post(f"/pool/{owned.customer_no}/claim/", follow=True)
    assert response.redirect_chain[-1][0].endswith("/pool/")
    assert 'class="message error"' in response.content.decode()
    assert state(owned)[0] == rep.pk
    assert AuditEntry.objects.filter(action="customer.claimed").count() == 0


def test_team_settings_page_and_api_for_admins_only(
    client: Client, api: Any, admin_user: User, manager: User, team_east: Team, team_south: Team
) -> None:
    response = api.login(manager).patch(
        f"/api/v1/teams/{team_east.pk}", {"pool_claim_daily_limit": 99}
    )
    assert response.status_code == 403
    assert [t["name"] for t in api.get("/api/v1/teams").json()] == ["华东销售部"]
    client.force_login(manager)
    assert client.get("/teams/").status_code == 403
    team_east.refresh_from_db()
    assert team_east.pool_claim_daily_limit == 10
    client.force_login(admin_user)
    assert client.get("/teams/").status_code == 200
    bad = client.post(
        "/teams/",
        {f"limit_{team_east.pk}": "-3", f"limit_{team_south.pk}": "5", "lead_team": ""},
    )
    assert bad.status_code == 422 and "华东销售部" in bad.content.decode()
    team_south.refresh_from_db()
    assert team_south.pool_claim_daily_limit == 10  # one transaction: nothing saved
    ok = client.post(
        "/teams/",
        {
            f"limit_{team_east.pk}": "3",
            f"limit_{team_south.pk}": "5",
            "lead_team": str(team_south.pk),
        },
    )
    assert ok.status_code == 302
    team_east.refresh_from_db()
    team_south.refresh_from_db()
    assert (team_east.pool_claim_daily_limit, team_south.pool_claim_daily_limit) == (3, 5)
    assert team_south.receives_unassigned_leads and not team_east.receives_unassigned_leads
    response = api.login(admin_user).patch(
        f"/api/v1/teams/{team_east.pk}", {"receives_unassigned_leads": True}
    )
    assert response.status_code == 200
    team_south.refresh_from_db()
    assert not team_south.receives_unassigned_leads  # one team at a time
    response = api.patch(f"/api/v1/teams/{team_east.pk}", {"pool_claim_daily_limit": -1})
    assert response.status_code == 422
    assert "pool_claim_daily_limit" in response.json()["errors"]


def _admin() -> User:
    from kehu.conftest import make_user

    return User.objects.filter(role="admin").first() or make_user("pool-admin", "admin")
