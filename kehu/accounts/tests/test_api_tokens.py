"""API tokens: `kehu api_token`, Bearer authentication, scopes, expiry, /api/v1/tokens."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from kehu.accounts.models import ApiToken
from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer


def create_token(username: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("api_token", username, *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def bearer(raw: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post_json(client: Client, url: str, data: dict, **extra: Any):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


# --- The command


def test_command_prints_a_new_token_once_and_stores_only_its_hash(rep):
    raw, message = create_token("rep")
    assert raw.startswith("kehu_") and len(raw) > 30
    assert "\n" not in raw
    assert "rep" in message
    token = ApiToken.objects.get(user=rep)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.scope == ApiToken.Scope.READ_WRITE
    assert token.expires_at is None
    stored = [str(v) for v in ApiToken.objects.values_list(flat=False).get()]
    assert raw not in stored
    assert raw[5:] not in "".join(stored)
    again, _message = create_token("rep")
    assert again != raw
    assert ApiToken.objects.filter(user=rep).count() == 2


def test_command_options(rep):
    create_token("rep", "--scope", "read", "--name", "ERP 同步", "--expires-days", "30")
    token = ApiToken.objects.get(user=rep)
    assert token.scope == ApiToken.Scope.READ
    assert token.name == "ERP 同步"
    expected = timezone.now() + timedelta(days=30)
    assert token.expires_at is not None
    assert abs((token.expires_at - expected).total_seconds()) < 60


def test_command_is_audited_as_cli(rep):
    create_token("rep")
    entry = AuditEntry.objects.get(action="api_token.created")
    assert entry.source == "cli"
    assert entry.target_id == str(ApiToken.objects.get().pk)


@pytest.mark.parametrize(
    "args", [("nobody",), ("rep", "--expires-days", "0"), ("rep", "--scope", "admin")]
)
def test_command_errors(rep, args):
    with pytest.raises((CommandError, SystemExit)):
        call_command("api_token", *args, stdout=StringIO(), stderr=StringIO())
    assert ApiToken.objects.count() == 0


def test_command_refuses_an_inactive_user(rep):
    rep.is_active = False
    rep.save()
    with pytest.raises(CommandError):
        create_token("rep")
    assert ApiToken.objects.count() == 0


# --- Bearer authentication


def test_bearer_token_reads_and_writes_as_its_user(rep, customer_factory):
    own = customer_factory()
    raw, _message = create_token("rep")
    client = Client()
    response = client.get("/api/v1/customers", **bearer(raw))
    assert response.status_code == 200
    assert [c["customer_no"] for c in response.json()["items"]] == [own.customer_no]
    created = post_json(
        client, "/api/v1/customers", {"name": "令牌创建", "mobile": "13800138000"}, **bearer(raw)
    )
    assert created.status_code == 201, created.content
    assert created.json()["owner"] == "rep"
    entry = AuditEntry.objects.get(action="customer.created", target_label__contains="令牌创建")
    assert entry.actor == rep
    assert entry.source == "api"
    assert ApiToken.objects.get().last_used_at is not None


def test_read_scope_token_cannot_write(rep, customer_factory):
    customer = customer_factory()
    raw, _message = create_token("rep", "--scope", "read")
    client = Client()
    assert client.get("/api/v1/customers", **bearer(raw)).status_code == 200
    entries = AuditEntry.objects.count()
    response = post_json(
        client, "/api/v1/customers", {"name": "不该有", "mobile": "13800138000"}, **bearer(raw)
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    patch = client.patch(
        f"/api/v1/customers/{customer.customer_no}",
        json.dumps({"name": "改名"}),
        content_type="application/json",
        **bearer(raw),
    )
    assert patch.status_code == 403
    assert (
        client.delete(f"/api/v1/customers/{customer.customer_no}", **bearer(raw)).status_code == 403
    )
    assert post_json(client, "/api/v1/tokens", {}, **bearer(raw)).status_code == 403
    assert Customer.objects.count() == 1
    customer.refresh_from_db()
    assert customer.name == "华东测试贸易有限公司"
    assert ApiToken.objects.count() == 1
    assert AuditEntry.objects.count() == entries


def test_unknown_revoked_and_expired_tokens_are_401(rep):
    raw, _message = create_token("rep", "--expires-days", "1")
    client = Client()
    assert client.get("/api/v1/customers", **bearer("kehu_not-a-token")).status_code == 401
    assert client.get("/api/v1/customers", **bearer(raw)).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        expired = client.get("/api/v1/customers", **bearer(raw))
        assert expired.status_code == 401
        assert expired.json()["code"] == "invalid_token"
    token = ApiToken.objects.get()
    token.revoked_at = timezone.now()
    token.save()
    assert client.get("/api/v1/customers", **bearer(raw)).status_code == 401


def test_token_of_an_inactive_user_is_401(rep):
    raw, _message = create_token("rep")
    rep.is_active = False
    rep.save()
    assert Client().get("/api/v1/customers", **bearer(raw)).status_code == 401


# --- /api/v1/tokens


def test_create_list_and_revoke_tokens_over_the_api(api, rep):
    api.login(rep)
    created = api.post("/api/v1/tokens", {"name": "脚本", "scope": "read"})
    assert created.status_code == 201, created.content
    body = created.json()
    raw = body["token"]
    assert body["scope"] == "read"
    assert body["prefix"] == raw[: len(body["prefix"])]
    token = ApiToken.objects.get(pk=body["id"])
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()

    listed = api.get("/api/v1/tokens")
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()] == [token.pk]
    assert "token" not in listed.json()[0]
    assert raw not in listed.content.decode()

    assert Client().get("/api/v1/customers", **bearer(raw)).status_code == 200
    assert api.delete(f"/api/v1/tokens/{token.pk}").status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/customers", **bearer(raw)).status_code == 401
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["api_token.created", "api_token.revoked"]


def test_bad_scope_is_named(api, rep):
    api.login(rep)
    response = api.post("/api/v1/tokens", {"scope": "everything"})
    assert response.status_code == 422
    assert "scope" in response.json()["errors"]
    assert ApiToken.objects.count() == 0


def test_tokens_of_other_users_are_invisible(api, rep, outsider):
    create_token("outsider")
    token = ApiToken.objects.get()
    api.login(rep)
    assert api.get("/api/v1/tokens").json() == []
    entries = AuditEntry.objects.count()
    assert api.delete(f"/api/v1/tokens/{token.pk}").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert AuditEntry.objects.count() == entries


def test_me_tells_who_the_token_belongs_to(rep):
    raw, _message = create_token("rep")
    response = Client().get("/api/v1/me", **bearer(raw))
    assert response.status_code == 200
    assert response.json()["username"] == "rep"
    assert response.json()["team"] == "华东销售部"
