"""The company settings (issue 15): name, time zone, working days, holidays and extra working
days for the business-day rules, the pool's claim limit; administrators change them on
/settings/company/, through /api/v1/settings/company or `kehu settings`, audited."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from kehu.accounts.models import Team, User
from kehu.audit.models import AuditEntry
from kehu.core.company import company_settings
from kehu.core.models import CompanySettings
from kehu.customers.models import Customer
from kehu.customers.services import customer_assign_pool
from kehu.interactions.freshness import add_business_days, is_business_day, quality_rules_run

pytestmark = pytest.mark.django_db
URL = "/api/v1/settings/company"
PAGE = "/settings/company/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def updates() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="company_settings.updated"))


def test_without_a_row_the_environment_gives_the_values_and_everyone_reads_them(
    api: Any, rep: User
) -> None:
    body = api.login(rep).get(URL).json()
    assert body == {
        "name": "",
        "time_zone": "Asia/Shanghai",
        "working_days": [0, 1, 2, 3, 4],
        "holidays": [],
        "extra_workdays": [],
        "pool_claim_limit": Team.DEFAULT_CLAIM_LIMIT,
        "two_factor_roles": ["manager", "admin", "steward"],  # KEHU_2FA_ROLES
        "is_saved": False,
    }


def test_only_an_administrator_changes_them(api: Any, manager: User, rep: User) -> None:
    for user in (rep, manager):
        response = api.login(user).patch(URL, {"name": "华信科技", "pool_claim_limit": 1})
        assert response.status_code == 403
    assert not CompanySettings.objects.exists()
    assert updates() == []
    assert company_settings().pool_claim_limit == Team.DEFAULT_CLAIM_LIMIT


def test_an_administrator_changes_them_audited_with_the_changed_fields(
    api: Any, admin_user: User, rep: User
) -> None:
    response = api.login(admin_user).patch(
        URL,
        {
            "name": " 深圳市华信软件有限公司 ",
            "holidays": "2026-10-01\n2026/10/2, 2026年10月3日",
            "extra_workdays": ["2026-09-27"],
            "pool_claim_limit": 5,
            "time_zone": "Asia/Shanghai",  # unchanged: not in the audit entry
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "深圳市华信软件有限公司"
    assert body["holidays"] == ["2026-10-01", "2026-10-02", "2026-10-03"]
    assert body["is_saved"] is True
    assert api.login(rep).get(URL).json() == body  # the cache was refreshed
    [entry] = updates()
    assert entry.actor == admin_user
    assert set(entry.changes) == {"name", "holidays", "extra_workdays", "pool_claim_limit"}
    assert entry.changes["pool_claim_limit"] == [10, 5]
    # Saving the same values again writes no entry.
    api.login(admin_user).patch(URL, {"pool_claim_limit": "5"})
    assert len(updates()) == 1


def test_bad_values_are_named_all_at_once_and_nothing_is_saved(api: Any, admin_user: User) -> None:
    api.login(admin_user).patch(URL, {"name": "原名"})
    with translation.override("en"):
        response = api.patch(
            URL,
            {
                "name": "新名",
                "time_zone": "Mars/Olympus",
                "working_days": [0, 9],
                "holidays": "2026-10-02, 2026-13-01, 十月一日",
                "pool_claim_limit": -1,
            },
        )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"time_zone", "working_days", "holidays", "pool_claim_limit"}
    assert "2026-13-01" in errors["holidays"][0] and "十月一日" in errors["holidays"][0]
    assert "2026-10-02" not in errors["holidays"][0]
    assert "Mars/Olympus" in errors["time_zone"][0]
    assert company_settings().name == "原名"
    assert len(updates()) == 1
    assert api.patch(URL, {"colour": "blue"}).status_code == 422  # unknown fields refused


def test_the_page_is_for_administrators_and_shows_every_error_in_one_round(
    client: Client, admin_user: User, rep: User, manager: User
) -> None:
    for user in (rep, manager):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, {"name": "X"}).status_code == 403
    assert not CompanySettings.objects.exists()
    client.force_login(admin_user)
    assert client.get(PAGE).status_code == 200
    with translation.override("en"):
        bad = client.post(
            PAGE,
            {
                "name": "华信",
                "time_zone": "Nowhere/City",
                "working_days": [],
                "holidays": "2026-10-01\n2026-02-30",
                "extra_workdays": "soon",
                "pool_claim_limit": "ten",
            },
        )
    assert bad.status_code == 422
    html = bad.content.decode()
    for field in ("time_zone", "working_days", "holidays", "extra_workdays", "pool_claim_limit"):
        assert f'id="error-{field}"' in html, field
    assert "2026-02-30" in html and "soon" in html
    assert not CompanySettings.objects.exists()

    good = client.post(
        PAGE,
        {
            "name": "深圳市华信软件有限公司",
            "time_zone": "Asia/Urumqi",
            "working_days": ["0", "1", "2", "3", "4", "5"],
            "holidays": "2026-10-01,2026-10-02",
            "extra_workdays": "",
            "pool_claim_limit": "3",
        },
    )
    assert good.status_code == 302 and good["Location"] == PAGE
    page = client.get("/customers/").content.decode()
    assert 'id="site-name">深圳市华信软件有限公司<' in page
    assert "· 深圳市华信软件有限公司</title>" in page
    values = company_settings()
    assert values.working_days == (0, 1, 2, 3, 4, 5)
    assert values.holidays == {"2026-10-01", "2026-10-02"}
    assert values.time_zone == "Asia/Urumqi"
    assert updates()[0].changes["working_days"] == [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5]]


def test_the_business_day_rules_use_the_company_calendar(
    api: Any, admin_user: User, customer_factory: Any
) -> None:
    friday = date(2026, 11, 27)
    assert add_business_days(friday, 3) == date(2026, 12, 2)
    api.login(admin_user).patch(
        URL, {"holidays": "2026-11-30, 2026-12-01", "extra_workdays": "2026-11-29"}
    )
    assert is_business_day(date(2026, 11, 29))  # a Sunday worked (调休)
    assert not is_business_day(date(2026, 11, 30))  # a Monday off
    assert add_business_days(friday, 3) == date(2026, 12, 3)  # Sun, Wed, Thu
    api.patch(URL, {"working_days": "0,1,2,3,4,5", "holidays": "", "extra_workdays": ""})
    assert add_business_days(friday, 3) == date(2026, 12, 1)  # Sat, Mon, Tue

    # The nightly rule: 待补全 since Friday is overdue after three of the company's business days.
    with time_machine.travel(datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI), tick=False):
        customer = customer_factory(name="周五贸易有限公司")
    assert customer.quality == Customer.Quality.INCOMPLETE
    with time_machine.travel(datetime(2026, 12, 2, 2, 0, tzinfo=SHANGHAI), tick=False):
        assert quality_rules_run()["needs_info"] == 1  # Mon-Fri alone would wait until Thursday


def test_the_company_claim_limit_caps_every_team(
    api: Any, admin_user: User, manager: User, rep: User, team_east: Team, customer_factory: Any
) -> None:
    pooled = [
        customer_assign_pool(
            actor=manager,
            customer=customer_factory(actor=manager, name=f"池{i}号科技有限公司"),
            team=team_east,
        )
        for i in range(3)
    ]
    api.login(admin_user).patch(URL, {"pool_claim_limit": 1})
    api.login(rep)
    assert api.get("/api/v1/pool").json()["claim_limit"] == 1
    assert api.post(f"/api/v1/pool/{pooled[0].customer_no}/claim").status_code == 200
    refused = api.post(f"/api/v1/pool/{pooled[1].customer_no}/claim")
    assert refused.status_code == 403 and "1" in refused.json()["detail"]
    pooled[1].refresh_from_db()
    assert pooled[1].owner_id is None
    # A team's lower limit still applies: 0 turns claiming off for the team.
    api.login(admin_user).patch(URL, {"pool_claim_limit": 50})
    api.patch(f"/api/v1/teams/{team_east.pk}", {"pool_claim_daily_limit": 0})
    assert api.login(rep).post(f"/api/v1/pool/{pooled[2].customer_no}/claim").status_code == 403


def test_users_without_their_own_time_zone_get_the_company_one(
    api: Any, admin_user: User, rep: User
) -> None:
    assert api.login(rep).get("/api/v1/me").json()["time_zone"] == "Asia/Shanghai"
    api.login(admin_user).patch(URL, {"time_zone": "Europe/Berlin"})
    assert api.login(rep).get("/api/v1/me").json()["time_zone"] == "Europe/Berlin"
    api.patch("/api/v1/me", {"time_zone": "Asia/Tokyo"})
    assert api.get("/api/v1/me").json()["time_zone"] == "Asia/Tokyo"


def test_the_cli_shows_and_sets_them(admin_user: User) -> None:
    out = io.StringIO()
    call_command(
        "settings", "set", "--pool-claim-limit", "4", "--working-days", "0,1,2,3", stdout=out
    )
    shown = json.loads(out.getvalue())
    assert shown["pool_claim_limit"] == 4 and shown["working_days"] == [0, 1, 2, 3]
    [entry] = updates()
    assert entry.actor is None and entry.source == "cli"
    with pytest.raises(Exception, match="pool_claim_limit"):
        call_command("settings", "set", "--pool-claim-limit", "many", stdout=io.StringIO())
    out = io.StringIO()
    call_command("settings", "show", stdout=out)
    assert json.loads(out.getvalue())["pool_claim_limit"] == 4
