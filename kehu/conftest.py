"""Shared test fixtures: personas (rep, manager, outsider, …) and factories."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import Client

from kehu.accounts.models import Role, Team, User
from kehu.customers.models import Customer
from kehu.customers.services import customer_create

_mobiles = itertools.count(13800000001)


def next_mobile() -> str:
    return str(next(_mobiles))


@pytest.fixture(autouse=True, scope="session")
def _write_path_checked() -> Any:
    """Every write of a Kehu model in the whole suite must come from its app's services
    (kehu/core/write_path.py): a side door fails the test that exercises it."""
    import os

    from kehu.core import write_path

    survey = os.environ.get("KEHU_WRITE_PATH_SURVEY")
    if survey:  # list every side door in a file instead of failing at the first
        write_path.COLLECT = set()
    write_path.install()
    yield
    write_path.uninstall()
    if survey and write_path.COLLECT is not None:
        with open(survey, "a", encoding="utf-8") as out:
            out.writelines(f"{line}\n" for line in sorted(write_path.COLLECT))


@pytest.fixture(autouse=True)
def _company_settings_fresh() -> None:
    """The company settings' per-process copy may hold a row an earlier test rolled back."""
    from kehu.core.company import company_settings_forget_local

    company_settings_forget_local()


@pytest.fixture(autouse=True)
def _task_queue_empty() -> Any:
    """On the RQ backend (KEHU_TASK_BACKEND=rq) each test starts and ends with an empty Redis
    database (KEHU_REDIS_URL: CI gives the tests a database number of their own)."""
    from django.conf import settings

    if settings.KEHU_TASK_BACKEND != "rq":
        yield
        return
    import django_rq

    connection = django_rq.get_connection()
    connection.flushdb()
    yield
    connection.flushdb()


@pytest.fixture(autouse=True)
def _two_factor_off(settings: Any) -> None:
    """Most tests are about data, not sign-in: 2FA is on only where a test turns it on."""
    settings.KEHU_REQUIRE_2FA = False


@pytest.fixture
def team_east(db: Any) -> Team:
    return Team.objects.create(name="华东销售部", region="华东")


@pytest.fixture
def team_south(db: Any) -> Team:
    return Team.objects.create(name="华南销售部", region="华南")


def make_user(username: str, role: str, team: Team | None = None, **extra: Any) -> User:
    return User.objects.create_user(
        username=username,
        password="pass-for-tests-2026",
        role=role,
        team=team,
        display_name=extra.pop("display_name", username),
        **extra,
    )


@pytest.fixture
def rep(team_east: Team) -> User:
    return make_user("rep", Role.REP, team_east, display_name="张销售")


@pytest.fixture
def rep2(team_east: Team) -> User:
    return make_user("rep2", Role.REP, team_east, display_name="李销售")


@pytest.fixture
def manager(team_east: Team) -> User:
    return make_user("manager", Role.MANAGER, team_east, display_name="王经理")


@pytest.fixture
def outsider(team_south: Team) -> User:
    """A rep of another team."""
    return make_user("outsider", Role.REP, team_south, display_name="赵销售")


@pytest.fixture
def admin_user(db: Any) -> User:
    return make_user("admin", Role.ADMIN, None, is_staff=True, is_superuser=True)


@pytest.fixture
def executive(db: Any) -> User:
    return make_user("boss", Role.EXECUTIVE, None)


@pytest.fixture
def support(db: Any) -> User:
    return make_user("support", Role.SUPPORT, None)


@pytest.fixture
def marketing(db: Any) -> User:
    return make_user("marketing", Role.MARKETING, None)


WON_OR_LOST = {"won", "lost", "成交", "成交客户", "流失", "流失客户"}


def _setup_manager(rep: User) -> User:
    """The rep's team manager, who signs off a won or lost customer the tests start from."""
    manager = User.objects.filter(team=rep.team, role=Role.MANAGER, is_active=True).first()
    return manager or make_user(f"{rep.username}-mgr", Role.MANAGER, rep.team)


@pytest.fixture
def customer_factory(rep: User) -> Any:
    """Customers created through the service as `actor` (default: the rep). Test data may share
    names (allow_duplicate); a won or lost customer is created by the team's manager for the rep,
    as the approval rule would have it."""

    def make(*, actor: User | None = None, **data: Any) -> Customer:
        payload: dict[str, Any] = {
            "name": "华东测试贸易有限公司",
            "decision_maker": {"name": "王建国", "title": "总经理", "mobile": next_mobile()},
            "allow_duplicate": True,
        }
        payload.update(data)
        if actor is None and str(payload.get("status", "")) in WON_OR_LOST:
            actor = _setup_manager(rep)
            payload.setdefault("owner", rep.username)
        return customer_create(actor=actor or rep, data=payload)

    return make


@pytest.fixture
def api(client: Client) -> Any:
    """JSON helpers around the test client: api.post(url, data) etc."""
    import json

    class Api:
        def __init__(self, client: Client) -> None:
            self.client = client

        def login(self, user: User) -> Api:
            self.client.force_login(user)
            return self

        def get(self, url: str, **params: Any) -> Any:
            return self.client.get(url, params)

        def post(self, url: str, data: Any = None) -> Any:
            return self.client.post(url, json.dumps(data or {}), content_type="application/json")

        def patch(self, url: str, data: Any) -> Any:
            return self.client.patch(url, json.dumps(data), content_type="application/json")

        def delete(self, url: str) -> Any:
            return self.client.delete(url)

    return Api(client)
