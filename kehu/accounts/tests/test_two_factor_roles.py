"""Two-factor sign-in for the roles the company settings name (two_factor_roles), "all" for
every role; KEHU_REQUIRE_2FA=false turns it off whatever they say."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command

from kehu.audit.models import AuditEntry
from kehu.core.company import company_settings
from kehu.core.models import CompanySettings

PASSWORD = "pass-for-tests-2026"


def _signed_in_rep_is_asked_for_a_code(client, rep) -> bool:
    client.post("/login/", {"username": rep.username, "password": PASSWORD})
    page = client.get("/customers/")
    api = client.get("/api/v1/customers")
    client.logout()
    if page.status_code == 302 and page.url.startswith("/otp/"):
        assert api.status_code == 403 and api.json()["code"] == "otp_required"
        return True
    assert page.status_code == 200 and api.status_code == 200
    return False


def test_default_roles_come_from_the_environment(client, settings, rep):
    settings.KEHU_REQUIRE_2FA = True
    assert company_settings().two_factor_roles == ("manager", "admin", "steward")
    assert not _signed_in_rep_is_asked_for_a_code(client, rep)
    settings.KEHU_2FA_ROLES = ["rep"]
    assert _signed_in_rep_is_asked_for_a_code(client, rep)


def test_admin_requires_two_factor_for_every_role(client, api, settings, admin_user, rep):
    response = api.login(admin_user).patch("/api/v1/settings/company", {"two_factor_roles": "all"})
    assert response.status_code == 200, response.content
    assert response.json()["two_factor_roles"] == ["all"]
    entry = AuditEntry.objects.get(action="company_settings.updated")
    assert entry.changes["two_factor_roles"] == [None, ["all"]]
    client.logout()
    settings.KEHU_REQUIRE_2FA = True
    assert _signed_in_rep_is_asked_for_a_code(client, rep)
    # The environment's switch still overrides (a local sandbox).
    settings.KEHU_REQUIRE_2FA = False
    assert not _signed_in_rep_is_asked_for_a_code(client, rep)


def test_a_list_of_roles_and_none(client, api, settings, admin_user, rep, support):
    body = api.login(admin_user).patch(
        "/api/v1/settings/company", {"two_factor_roles": ["support", "admin"]}
    )
    assert body.json()["two_factor_roles"] == ["support", "admin"]
    client.logout()
    settings.KEHU_REQUIRE_2FA = True
    assert not _signed_in_rep_is_asked_for_a_code(client, rep)
    assert _signed_in_rep_is_asked_for_a_code(client, support)
    settings.KEHU_REQUIRE_2FA = False
    body = api.login(admin_user).patch("/api/v1/settings/company", {"two_factor_roles": []})
    assert body.json()["two_factor_roles"] == []
    # An administrator can still ask it of one person.
    support.requires_two_factor = True
    support.save()
    settings.KEHU_REQUIRE_2FA = True
    client.logout()
    assert _signed_in_rep_is_asked_for_a_code(client, support)


def test_unknown_role_is_refused_naming_the_field(api, admin_user):
    response = api.login(admin_user).patch(
        "/api/v1/settings/company", {"two_factor_roles": ["rep", "boss"], "name": "客和科技"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "two_factor_roles" in body and "'boss'" in body
    assert not CompanySettings.objects.exists()
    assert not AuditEntry.objects.filter(action="company_settings.updated").exists()


def test_only_administrators_change_it(api, manager):
    response = api.login(manager).patch("/api/v1/settings/company", {"two_factor_roles": "all"})
    assert response.status_code == 403
    assert company_settings().two_factor_roles == ("manager", "admin", "steward")


def test_settings_page_sets_roles(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/settings/company/").content.decode()
    assert 'name="two_factor_roles" value="all"' in page
    assert 'name="two_factor_roles" value="finance"' in page
    values = company_settings()
    response = client.post(
        "/settings/company/",
        {
            "name": "客和科技",
            "time_zone": values.time_zone,
            "working_days": ["0", "1", "2", "3", "4"],
            "pool_claim_limit": "10",
            "two_factor_roles": ["rep", "finance"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert company_settings().two_factor_roles == ("rep", "finance")
    page = client.get("/settings/company/").content.decode()
    checked = re.findall(
        r'<input type="checkbox" name="two_factor_roles" value="(\w+)"[^>]*checked', page
    )
    assert checked == ["rep", "finance"]


def test_cli_sets_roles(db):
    out = StringIO()
    call_command("settings", "set", "--two-factor-roles", "rep,support", stdout=out)
    assert '"two_factor_roles": [\n    "rep",\n    "support"\n  ]' in out.getvalue()
    assert company_settings().two_factor_roles == ("rep", "support")
