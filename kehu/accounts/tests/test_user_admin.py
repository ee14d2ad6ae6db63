"""User administration through the API (/api/v1/users), the pages (/users/…) and `kehu user`:
administrators only, every change audited (never a password), bad values named by field."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from kehu.accounts.models import ApiToken, Role, User
from kehu.accounts.services import api_token_create
from kehu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _login(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, f"{username} could not sign in"
    return client


def test_admin_creates_a_user_who_signs_in_with_the_temporary_password(
    api: Any, admin_user: User, team_east: Any
) -> None:
    api.login(admin_user)
    response = api.post(
        "/api/v1/users",
        {"username": "xiaowang", "display_name": "小王", "role": "rep", "team": team_east.name,
         "can_reveal_pii": True},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["role"], body["team"], body["can_reveal_pii"]) == ("rep", "华东销售部", True)
    password = body["temporary_password"]
    assert password and len(password) >= 12
    client = _login("xiaowang", password)
    assert client.get("/customers/").status_code == 200
    entry = AuditEntry.objects.get(action="user.created")
    assert entry.actor_id == admin_user.pk
    assert entry.changes["team"] == [None, "华东销售部"]
    assert password not in str(entry.changes)


def test_bad_values_are_named_and_nothing_is_written(api: Any, admin_user: User, rep: User) -> None:
    api.login(admin_user)
    response = api.post(
        "/api/v1/users",
        {"username": "rep", "role": "boss", "team": "不存在的部门", "password": "123"},
    )
    assert response.status_code == 422
    problems = response.json()["errors"]
    assert set(problems) >= {"username", "role", "team", "password"}
    response = api.post("/api/v1/users", {"username": "王 五"})
    assert "username" in response.json()["errors"]
    assert User.objects.count() == 2
    assert not AuditEntry.objects.filter(action="user.created").exists()


def test_only_administrators_manage_users(api: Any, manager: User, rep: User) -> None:
    for user in (manager, rep):
        api.login(user)
        assert api.get("/api/v1/users").status_code == 403
        assert api.post("/api/v1/users", {"username": "x1"}).status_code == 403
        assert api.patch("/api/v1/users/rep", {"role": "admin"}).status_code == 403
    rep.refresh_from_db()
    assert rep.role == Role.REP


def test_change_role_team_and_grants_then_deactivate_and_reactivate(
    api: Any, admin_user: User, rep: User, team_south: Any
) -> None:
    token, _raw = api_token_create(actor=rep, user=rep, name="erp", scope="read")
    rep_client = _login("rep", "pass-for-tests-2026")
    api.login(admin_user)
    response = api.patch(
        "/api/v1/users/rep",
        {"role": "manager", "team": team_south.name, "can_edit_finance": True,
         "requires_two_factor": True},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["role"], body["team"], body["can_edit_finance"]) == ("manager", "华南销售部", True)
    assert body["requires_two_factor"] is True
    changed = AuditEntry.objects.get(action="user.updated")
    assert changed.changes["team"] == ["华东销售部", "华南销售部"]
    response = api.patch("/api/v1/users/rep", {"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert rep_client.get("/customers/").status_code == 302  # their session ended
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEntry.objects.filter(action="user.deactivated").count() == 1
    assert Client().post("/login/", {"username": "rep", "password": "pass-for-tests-2026"}).status_code == 200  # fmt: skip
    assert api.patch("/api/v1/users/rep", {"is_active": True}).json()["is_active"] is True
    assert AuditEntry.objects.filter(action="user.reactivated").count() == 1
    _login("rep", "pass-for-tests-2026")


def test_the_last_administrator_stays(api: Any, admin_user: User) -> None:
    api.login(admin_user)
    response = api.patch("/api/v1/users/admin", {"role": "rep"})
    assert response.status_code == 409
    assert api.patch("/api/v1/users/admin", {"is_active": False}).status_code == 409
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN and admin_user.is_active


def test_password_reset_ends_sessions_and_is_audited_without_it(
    api: Any, admin_user: User, rep: User
) -> None:
    rep_client = _login("rep", "pass-for-tests-2026")
    api.login(admin_user)
    response = api.post("/api/v1/users/rep/password", {})
    assert response.status_code == 200
    password = response.json()["temporary_password"]
    assert rep_client.get("/customers/").status_code == 302
    _login("rep", password)
    entry = AuditEntry.objects.get(action="user.password_reset")
    assert password not in str(entry.changes) and entry.changes["generated"] is True
    assert api.post("/api/v1/users/nobody/password", {}).status_code == 404


def test_a_user_asked_for_two_factor_signs_in_with_it(
    client: Client, settings: Any, admin_user: User, rep: User
) -> None:
    settings.KEHU_REQUIRE_2FA = True
    client.post("/login/", {"username": "rep", "password": "pass-for-tests-2026"})
    assert client.get("/customers/").status_code == 200  # a rep's role does not require it
    rep.requires_two_factor = True
    rep.save(update_fields=["requires_two_factor"])
    assert client.get("/customers/")["Location"].startswith("/otp/setup/")


def test_createsuperuser_makes_an_administrator(db: Any) -> None:
    call_command(
        "createsuperuser",
        username="root",
        email="root@example.cn",
        interactive=False,
        stdout=StringIO(),
    )
    assert User.objects.get(username="root").role == Role.ADMIN


def test_pages_create_edit_and_reset(client: Client, admin_user: User, team_east: Any) -> None:
    client.force_login(admin_user)
    page = client.get("/users/").content.decode()
    assert 'id="user-create-link"' in page
    response = client.post(
        "/users/new/", {"username": "bad name", "role": "rep", "team": team_east.name}
    )
    assert response.status_code == 422 and 'id="error-username"' in response.content.decode()
    response = client.post(
        "/users/new/",
        {"username": "xiaoli", "display_name": "小李", "role": "support", "team": ""},
    )
    assert response.status_code == 302
    user = User.objects.get(username="xiaoli")
    page = client.get(response["Location"]).content.decode()
    password = page.split('<code id="new-password-value">')[1].split("</code>")[0]
    assert (
        client.get(response["Location"]).content.decode().count("new-password-value") == 0
    )  # once
    _login("xiaoli", password)
    assert f'href="/users/{user.pk}/edit/"' in client.get("/users/").content.decode()
    response = client.post(
        f"/users/{user.pk}/edit/",
        {"display_name": "小李", "role": "marketing", "team": team_east.name, "is_active": "on"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.role, user.team_id) == (Role.MARKETING, team_east.pk)
    response = client.post(f"/users/{user.pk}/password/")
    assert response.status_code == 302
    assert "new-password-value" in client.get(response["Location"]).content.decode()


def test_pages_refuse_non_administrators(client: Client, manager: User, rep: User) -> None:
    client.force_login(manager)
    assert client.get("/users/new/").status_code == 403
    assert client.get(f"/users/{rep.pk}/edit/").status_code == 403
    assert client.post(f"/users/{rep.pk}/password/").status_code == 403


def test_cli_manages_users(team_east: Any, admin_user: User) -> None:
    out = StringIO()
    call_command(
        "user", "create", "zhaoliu", "--role", "rep", "--team", team_east.name,
        "--display-name", "赵六", "--grant", "reveal_pii", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "zhaoliu" in text and "Temporary password (shown once): " in text
    password = text.split("Temporary password (shown once): ")[1].strip()
    _login("zhaoliu", password)
    user = User.objects.get(username="zhaoliu")
    assert user.can_reveal_pii and user.team_id == team_east.pk
    call_command("user", "set", "zhaoliu", "--role", "manager", "--no-team", stdout=StringIO())
    user.refresh_from_db()
    assert user.role == Role.MANAGER and user.team_id is None
    call_command("user", "deactivate", "zhaoliu", stdout=StringIO())
    assert not User.objects.get(username="zhaoliu").is_active
    call_command("user", "reactivate", "zhaoliu", stdout=StringIO())
    assert User.objects.get(username="zhaoliu").is_active
    listing = StringIO()
    call_command("user", "list", "--role", "manager", stdout=listing)
    assert "zhaoliu" in listing.getvalue() and "admin" not in listing.getvalue()
    with pytest.raises(CommandError, match="team"):
        call_command("user", "set", "zhaoliu", "--team", "不存在", stdout=StringIO())
    with pytest.raises(CommandError, match="No user"):
        call_command("user", "deactivate", "nobody", stdout=StringIO())
    sources = set(
        AuditEntry.objects.filter(target_id=str(user.pk))
        .exclude(action="user.logged_in")  # the test's own sign-in, from the web
        .values_list("source", flat=True)
    )
    assert sources == {"cli"}


def test_pages_show_times_in_the_users_time_zone(
    api: Any, client: Client, rep: User, customer_factory: Any
) -> None:
    customer = customer_factory()
    api.login(rep)
    response = api.post(
        f"/api/v1/customers/{customer.customer_no}/interactions",
        {"method": "phone", "occurred_at": "2026-03-10T10:30+08:00", "topic": "回访",
         "summary": "电话回访", "feedback": "interested", "next_action": "发资料"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    page = api.client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert "2026-03-10 10:30" in page  # the company's zone (Asia/Shanghai)
    assert api.get("/api/v1/me").json()["time_zone"] == "Asia/Shanghai"
    response = api.patch("/api/v1/me", {"time_zone": "Europe/London"})
    assert response.status_code == 200 and response.json()["time_zone"] == "Europe/London"
    page = api.client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert "2026-03-10 02:30" in page and "2026-03-10 10:30" not in page
    assert api.patch("/api/v1/me", {"time_zone": "Mars/Base"}).status_code == 422
    entry = AuditEntry.objects.filter(action="user.updated").latest("id")
    assert entry.changes == {"time_zone": [None, "Europe/London"]}
    # The profile page sets it back to the company's.
    response = api.client.post("/profile/time-zone/", {"time_zone": ""})
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.time_zone == ""
    assert 'id="time-zone-form"' in api.client.get("/profile/").content.decode()
