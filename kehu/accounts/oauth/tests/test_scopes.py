"""Scopes against operations: for every resource a read and a write, with and without the scope;
operations no scope names are closed to applications whatever they hold."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kehu.accounts.oauth.scopes import SCOPES, required_scope
from kehu.accounts.services import api_token_create
from kehu.api import api
from kehu.audit.models import AuditEntry
from kehu.conftest import next_mobile
from kehu.interactions.tests.helpers import STANDARD
from kehu.tags.services.library import tag_create

from .helpers import bearer, issue, register

pytestmark = pytest.mark.django_db

# (scope, method, path under /api/v1 with {no} for the rep's customer, body, answers with it)
CASES: list[tuple[str, str, str, Any, set[int]]] = [
    ("customers:read", "GET", "customers", None, {200}),
    ("customers:read", "GET", "customers/{no}", None, {200}),
    (
        "customers:write",
        "POST",
        "customers",
        {"name": "授权新建贸易有限公司", "mobile": "MOBILE", "allow_duplicate": True},
        {201},
    ),
    (
        "customers:write",
        "PATCH",
        "customers/{no}",
        {"address": "上海市浦东新区世纪大道100号"},
        {200, 202},
    ),
    ("contacts:read", "GET", "customers/{no}/contacts", None, {200}),
    (
        "contacts:write",
        "POST",
        "customers/{no}/contacts",
        {"name": "李授权", "mobile": "MOBILE"},
        {201},
    ),
    ("interactions:read", "GET", "customers/{no}/interactions", None, {200}),
    ("interactions:read", "GET", "follow-ups", None, {200}),
    (
        "interactions:write",
        "POST",
        "customers/{no}/interactions",
        {**STANDARD, "method": "phone"},
        {201},
    ),
    ("opportunities:read", "GET", "customers/{no}/opportunities", None, {200}),
    ("opportunities:read", "GET", "opportunities", None, {200}),
    ("opportunities:write", "POST", "customers/{no}/opportunities", {"title": "授权商机"}, {201}),
    ("tags:read", "GET", "customers/{no}/tags", None, {200}),
    ("tags:read", "GET", "tags", None, {200}),
    ("tags:write", "POST", "customers/{no}/tags", {"tag": "授权标签"}, {200}),
    ("reports:read", "GET", "dashboard", None, {200}),
    ("reports:read", "GET", "reports/health", None, {200}),
]
CLOSED = [
    ("GET", "users", None),
    ("POST", "tokens", {"name": "x"}),
    ("GET", "audit", None),
    ("GET", "imports", None),
    ("PATCH", "reports/settings", {}),
    ("GET", "oauth/applications", None),
    ("GET", "oauth/connections", None),
    ("GET", "search", None),
    ("PATCH", "me", {}),
]


def call(client, method: str, path: str, body: Any, token: str, customer_no: str):
    url = "/api/v1/" + path.format(no=customer_no)
    data = json.dumps(body).replace('"MOBILE"', f'"{next_mobile()}"') if body is not None else None
    extra = bearer(token)
    if data is None:
        return client.generic(method, url, **extra)
    return client.generic(method, url, data, content_type="application/json", **extra)


@pytest.fixture
def tag(admin_user):
    return tag_create(actor=admin_user, data={"name": "授权标签"})


@pytest.fixture
def world(rep, admin_user, customer_factory):
    customer = customer_factory(name="华东授权贸易有限公司")
    application, _secret = register(admin_user, list(SCOPES))
    return customer, application


@pytest.mark.parametrize(("scope", "method", "path", "body", "answers"), CASES)
def test_without_its_scope_an_operation_is_403_naming_the_scope(
    client, rep, world, scope, method, path, body, answers
):
    customer, application = world
    token = issue(rep, application, [s for s in SCOPES if s != scope])
    entries = AuditEntry.objects.count()
    response = call(client, method, path, body, token, customer.customer_no)
    assert response.status_code == 403, response.content.decode()
    assert response.json()["code"] == "insufficient_scope"
    assert response.json()["scope"] == scope
    assert scope in response.json()["detail"]
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(("scope", "method", "path", "body", "answers"), CASES)
def test_with_its_scope_alone_an_operation_runs(
    client, rep, world, tag, scope, method, path, body, answers
):
    customer, application = world
    token = issue(rep, application, [scope])
    response = call(client, method, path, body, token, customer.customer_no)
    assert response.status_code in answers, response.content.decode()


@pytest.mark.parametrize(("method", "path", "body"), CLOSED)
def test_operations_no_scope_names_are_closed_to_applications(
    client, admin_user, world, method, path, body
):
    customer, application = world
    token = issue(admin_user, application, list(SCOPES))
    response = call(client, method, path, body, token, customer.customer_no)
    assert response.status_code == 403, response.content.decode()
    assert response.json()["code"] == "not_for_applications"


def test_every_customer_operation_needs_a_resource_scope():
    """A new operation under /customers/… is never open without a scope, nor closed by accident."""
    paths = api.get_openapi_schema()["paths"]
    for path, operations in paths.items():
        for method in operations:
            scope = required_scope(method, path)
            if path.startswith("/api/v1/customers/"):
                assert scope is not None, f"{method.upper()} {path}"
            if scope is not None:
                resource, access = scope.split(":")
                assert access == ("read" if method.upper() == "GET" else "write")
                assert scope in SCOPES


def test_personal_tokens_are_untouched_by_scopes(client, rep, customer_factory):
    """A personal API token reaches what no OAuth scope opens, and writes without scopes."""
    customer_factory(name="华东个人令牌贸易有限公司")
    _token, raw = api_token_create(actor=rep, user=rep, name="脚本")
    assert client.get("/api/v1/search", {"q": "个人令牌"}, **bearer(raw)).status_code == 200
    response = client.post(
        "/api/v1/customers",
        json.dumps(
            {"name": "个人令牌新建有限公司", "mobile": next_mobile(), "allow_duplicate": True}
        ),
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 201, response.content.decode()
