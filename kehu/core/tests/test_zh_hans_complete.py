"""Issue 15: no English left in the zh-hans UI.

Over a small training sandbox (with an import whose rows failed, a probable duplicate, a held
and a rejected change, a merge, a hand-over, tags, shares):

- every page an administrator, a rep, a manager and a data steward can GET (the routes come
  from the URL resolver; CSV downloads too) is rendered in zh-hans;
- every /api/v1 operation (from the OpenAPI document) is called with bad input: unknown and
  wrongly typed fields, values that name nothing, as a user who may not, without signing in;
  the messages of each 4xx answer are read.

A Latin-letter word that is not a brand, a code, an address or the data's own (zh_hans.py) is
an untranslated message: the failure names the page or operation and the words in context. A new
page or operation joins by itself; a new URL argument needs a value in `_args`.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, reverse
from oauth2_provider.models import Application

from kehu.accounts.oauth.services import oauth_application_register
from kehu.api import api
from kehu.core.models import Job
from kehu.core.tests.routes import walk
from kehu.customers.models import CustomField, SavedView
from kehu.dedupe.models import DuplicatePair, Merge
from kehu.intake.models import ImportRun
from kehu.opportunities.models import LostReason, Product
from kehu.review.models import ReviewItem
from kehu.segments.models import Segment
from kehu.tags.models import Tag, TagType
from kehu.value.models import BehaviourTrigger
from kehu.workflow.models import Rule, Webhook

from .zh_hans import build_world, data_words, english_words, sentences_around, visible_text

ZH = "zh-hans"  # the Accept-Language of every request
USERS = ("admin", "zhang", "zhou", "he")
# Only a redirect or a POST there; spreadsheets are binary (their cells are the CSV's).
SKIPPED = {"logout", "set_language", "quality-audit-xlsx", "import-template-xlsx"}


def page_routes() -> list[tuple[str, tuple[str, ...]]]:
    """(name, argument names) of kehu's own pages."""
    routes = {
        (p.name or "", tuple(re.findall(r"<(?:\w+:)?(\w+)>", route)))
        for route, p in walk(get_resolver().url_patterns)
        if getattr(p.callback, "__module__", "").startswith("kehu.")
        and not route.startswith("api/")
        and p.name not in SKIPPED
    }
    return sorted(routes)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Any:
    """Built once for the module inside a transaction rolled back at the end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world(tmp_path_factory.mktemp("zh"))
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _first_pk(model: Any) -> int:
    row = model.objects.order_by("id").first()
    return int(row.pk) if row is not None else 0


def _args(world: dict[str, Any]) -> dict[str, Any]:
    """A value for each URL argument: rows of the world, so that pages show something."""
    customer = world["customer"]
    contact = customer.contacts.order_by("id").first()
    interaction = customer.interactions.order_by("id").first()
    opportunity = customer.opportunities.order_by("id").first()
    order = customer.orders.order_by("id").first()
    follow_up = customer.follow_ups.order_by("id").first()
    zhang = world["users"]["zhang"]
    field = CustomField.objects.order_by("id").first() or CustomField.objects.create(
        entity="customer", key="grade", label="客户等级", kind="choice",
        choices=["甲级", "乙级"], show_in_list=True, help_text="按年采购额评定",
    )  # fmt: skip
    view = SavedView.objects.order_by("id").first() or SavedView.objects.create(
        owner=zhang, team=zhang.team, name="华东线索", query="status=lead&order=-last_interaction"
    )
    segment = Segment.objects.order_by("id").first() or Segment.objects.create(
        owner=zhang, team=zhang.team, visibility="team", name="广东意向客户",
        query="province=%E5%B9%BF%E4%B8%9C%E7%9C%81&status=intent",
        followup_cadence="weekly", followup_title="每周跟进广东意向客户",
    )  # fmt: skip
    application = Application.objects.order_by("id").first() or oauth_application_register(
        actor=world["users"]["admin"], name="ERP 同步", scopes=["customers:read"],
        redirect_uris=["https://erp.example.com/callback"],
    )[0]  # fmt: skip
    return {
        "application_id": application.pk,
        "segment_id": segment.pk,
        "field_id": field.pk,
        "view_id": view.pk,
        "customer_no": customer.customer_no,
        "customer_id": customer.pk,
        "contact_id": contact.pk if contact else 0,
        "interaction_no": interaction.interaction_no if interaction else "HD0",
        "opportunity_id": opportunity.pk if opportunity else 0,
        "order_no": order.order_no if order else "DD0",
        "follow_up_id": follow_up.pk if follow_up else 0,
        "token": "no-such-calendar",
        "user_id": zhang.pk,
        "username": zhang.username,
        "run_id": _first_pk(ImportRun),
        "import_id": _first_pk(ImportRun),
        "item_id": _first_pk(ReviewItem),
        "request_id": _first_pk(ReviewItem),
        "job_id": Job.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        "pair_id": _first_pk(DuplicatePair),
        "merge_id": _first_pk(Merge),
        "team_id": zhang.team_id,
        "file_format": "csv",
        "token_id": 0,
        "preset_id": 0,
        "rule_id": _first_pk(Rule),
        "webhook_id": _first_pk(Webhook),
        "notification_id": 0,
        "decision": "approve",
        "context": "create",
        "kind": "amount_jump",
        "reason_id": _first_pk(LostReason),
        "product_id": _first_pk(Product),
        "trigger_id": _first_pk(BehaviourTrigger),
        "tag_id": _first_pk(Tag),
        "type_id": _first_pk(TagType),
        "name": "customer-list",  # a help page (kehu.help)
        "scenario_id": "basic-create-customer",
        "file": "trade-fair-customers.xlsx",  # a drill's file (none for this scenario: 404)
        "entry_id": 0,  # reporting an export: POST only
        "workspace_id": 0,
        "assessment_id": 0,
        "certificate_id": 0,
    }


def _body(response: Any) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return bytes(body).decode("utf-8", "replace")


def test_every_page_reads_in_chinese(world: dict[str, Any], db: Any) -> None:
    args = _args(world)
    allowed = data_words()
    failures: dict[str, list[str]] = {}
    seen = 0
    for username in USERS:
        client = Client(HTTP_ACCEPT_LANGUAGE=ZH)
        client.force_login(world["users"][username])
        for name, params in page_routes():
            url = reverse(name, kwargs={p: args[p] for p in params})
            for htmx in (False, True):
                response = client.get(url, HTTP_HX_REQUEST="true") if htmx else client.get(url)
                assert response.status_code < 500, (username, url)
                kind = response.get("Content-Type", "")
                if response.status_code in (301, 302, 405) or not kind.startswith(
                    ("text/html", "text/csv")
                ):
                    continue
                seen += 1
                text = _body(response)
                text = visible_text(text) if kind.startswith("text/html") else text
                words = english_words(text, allowed)
                if words:
                    failures.setdefault(f"{name} ({username})", sentences_around(text, words))
    assert seen > 200
    assert failures == {}


# --- The API's error messages ------------------------------------------------------------------

NOWHERE = {  # path values that name nothing
    "customer_no": "CX2099019999",
    "interaction_no": "HD9999",
    "order_no": "DD9999",
    "username": "nobody-here",
    "context": "nowhere",
    "kind": "nothing",
}
WRONG = {"字段": {"不是": "值"}}  # an unknown field


@functools.cache
def openapi() -> dict[str, Any]:
    return dict(api.get_openapi_schema())


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = openapi()
    return [
        (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def _fill(path: str, values: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), 999999)), path)


def _properties(operation: dict[str, Any]) -> list[str]:
    """The JSON body's declared fields (top level; $refs resolved)."""
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    if ref:
        schema = openapi()["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    return list(schema.get("properties", {}))


def _messages(payload: Any) -> list[str]:
    """Every text of an error body: detail, the errors' messages, nested ones."""
    if isinstance(payload, str):
        return [payload]
    if isinstance(payload, list):
        return [m for item in payload for m in _messages(item)]
    if isinstance(payload, dict):
        found = [m for key, value in payload.items() if key != "code" for m in _messages(value)]
        return found
    return []


def _bad_requests(
    method: str, path: str, operation: dict[str, Any], args: dict[str, Any]
) -> list[tuple[str, str, Any]]:
    """(method, url, JSON body or query) of requests that must fail."""
    real = _fill(path, args)
    missing = _fill(path, {**{k: 999999 for k in args}, **NOWHERE})
    if method == "GET":
        query = {p["name"]: "不是值" for p in operation.get("parameters", []) if p["in"] == "query"}
        requests = [("GET", real, query)] if query else []
        return [*requests, ("GET", missing, {})] if missing != real else requests
    wrong_types = {name: {"不是": ["值"]} for name in _properties(operation)}
    return [
        (method, real, WRONG),
        (method, real, wrong_types or WRONG),
        (method, missing, {}),
    ]


def _send(client: Client, method: str, url: str, data: Any) -> Any:
    if method == "GET":
        return client.get(url, data)
    return client.generic(method, url, json.dumps(data), content_type="application/json")


def test_every_api_error_reads_in_chinese(world: dict[str, Any], db: Any) -> None:
    args = _args(world)
    allowed = data_words()
    clients = {name: Client(HTTP_ACCEPT_LANGUAGE=ZH) for name in ("admin", "zhang")}
    for name, client in clients.items():
        client.force_login(world["users"][name])
    clients["anonymous"] = Client(HTTP_ACCEPT_LANGUAGE=ZH)
    failures: dict[str, list[str]] = {}
    statuses: set[int] = set()
    for method, path, operation in operations():
        for who, client in clients.items():
            requests = _bad_requests(method, path, operation, args)
            if who == "anonymous":  # 401
                requests = [(method, _fill(path, args), {})]
            elif who == "zhang":  # a rep: 403 / 404 where the administrator got further
                requests = requests[1:2]
            for verb, url, data in requests:
                sid = transaction.savepoint()
                response = _send(client, verb, url, data)
                transaction.savepoint_rollback(sid)
                assert response.status_code < 500, (who, verb, url, response.content[:300])
                if response.status_code < 400 or "json" not in response.get("Content-Type", ""):
                    continue
                statuses.add(response.status_code)
                payload = response.json()
                keys = {
                    w.lower()
                    for k in payload.get("errors", {})
                    for w in re.findall(r"[A-Za-z]+", k)
                }
                text = " ".join(_messages(payload))
                words = english_words(text, allowed | keys)
                if words:
                    where = f"{verb} {path} ({who}, {response.status_code})"
                    failures.setdefault(where, sentences_around(text, words))
    assert {401, 403, 404, 422} <= statuses
    assert failures == {}


def test_the_checker_finds_english_and_lets_codes_brands_and_data_pass() -> None:
    found = english_words(
        "负责人: No active user 'nobody'. 信用代码：same（+20.0） 导出 CSV 到 Excel "
        "CX2026120005 buyer@example.com /api/v1/customers Asia/Shanghai 'xlsx' zhang",
        {"zhang"},
    )
    assert found == ["No", "active", "user", "same"]
    html = (
        '<p title="Save">保存</p><script>var x = "hidden";</script><input type="submit" value="Go">'
    )
    assert english_words(visible_text(html), set()) == ["Save", "Go"]
