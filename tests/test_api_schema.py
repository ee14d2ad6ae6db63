"""Property-based test of the whole /api/v1 against its own OpenAPI document (issue 14.7).

schemathesis reads /api/v1/openapi.json from the WSGI application in-process (no network) and,
for every operation, sends generated requests — valid and invalid — with a Bearer token of an
administrator and of a sales rep (whose out-of-scope 404s and 403s are exercised too). Each
response must not be a 5xx, its status must be one the operation declares, and its body must
match the schema declared for that status.

Generation is deterministic (a fixed seed) and bounded (EXAMPLES per operation). Path
parameters now and then take the number or id of a record of the dataset, and bodies now and
then a known-good payload, so that the success answers are checked as well as the refusals.
The dataset is built once for the module; every request runs in a savepoint rolled back after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from kehu.accounts.models import Role, Team
from kehu.accounts.services import api_token_create, notification_send
from kehu.conftest import make_user
from kehu.core.errors import ChangeHeld
from kehu.customers.models import DuplicateAction
from kehu.customers.services import customer_assign_pool, customer_create, customer_update
from kehu.customers.services.duplicates import match_rule_save
from kehu.dedupe.services import customer_merge, dedupe_scan_start, pair_mark_for
from kehu.intake.capture.services import capture_rule_save
from kehu.intake.services import import_upload, mapping_preset_save
from kehu.interactions.services import interaction_log
from kehu.interactions.services.followups import followup_create
from kehu.interactions.tests.helpers import STANDARD
from kehu.opportunities.services import opportunity_create, order_create
from kehu.review.models import ReviewRule
from kehu.tags.models import Tag, TagType

EXAMPLES = 12  # generated cases per operation and persona
SEED = 20261114
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def world(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[dict[str, Any]]:
    """Built once for the module inside a transaction rolled back at the end."""
    imports = tmp_path_factory.mktemp("imports")
    with django_db_blocker.unblock(), override_settings(KEHU_IMPORT_DIR=imports):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _customer(admin: Any, n: int, owner: str, **data: Any) -> Any:
    return customer_create(
        actor=admin,
        data={
            "name": f"模糊测试{n}贸易有限公司",
            "owner": owner,
            "phone": f"1391234{n:04d}",
            "budget_amount": "300000",
            "decision_maker": {"name": f"联系人{n}", "mobile": f"1380000{n:04d}"},
            "allow_duplicate": True,
            **data,
        },
    )


def _build_world() -> dict[str, Any]:
    east = Team.objects.create(name="华东销售部", region="华东")
    south = Team.objects.create(name="华南销售部", region="华南")
    users = {
        "admin": make_user("fuzz-admin", Role.ADMIN),
        "rep": make_user("fuzz-rep", Role.REP, east),
        "manager": make_user("fuzz-manager", Role.MANAGER, east),
        "outsider": make_user("fuzz-outsider", Role.REP, south),
    }
    admin, rep = users["admin"], users["rep"]
    values: dict[str, list[Any]] = {}

    def remember(name: str, *found: Any) -> None:
        values.setdefault(name, []).extend(found)

    customers = []
    for n, owner in enumerate(("fuzz-rep", "fuzz-outsider", "fuzz-rep", "fuzz-rep")):
        customer = _customer(admin, n, owner)
        customers.append(customer)
        interaction = interaction_log(
            actor=admin, customer=customer, data={**STANDARD, "method": "phone", "topic": "拜访"}
        )
        opportunity = opportunity_create(actor=admin, customer=customer, data={"title": f"商机{n}"})
        order = order_create(actor=admin, customer=customer, data={"amount": "120000"})
        task = followup_create(actor=admin, customer=customer, kind="next_action", title="跟进")
        remember("customer_no", customer.customer_no)
        remember("customer_id", customer.pk)
        remember("contact_id", customer.contacts.get().pk)
        remember("interaction_no", interaction.interaction_no)
        remember("opportunity_id", opportunity.pk)
        remember("order_no", order.order_no)
        remember("follow_up_id", task.pk)
    pooled = customer_assign_pool(actor=admin, customer=customers[3], team=east)
    remember("customer_no", pooled.customer_no)
    merge = customer_merge(actor=admin, survivor=customers[0], merged=customers[2])
    remember("merge_id", merge.pk)
    remember(
        "pair_id", pair_mark_for(actor=admin, customer_a=customers[0], customer_b=customers[1]).pk
    )
    # A change held for the manager (a large budget), and an approval (a won customer).
    for data in ({"budget_amount": "900000000"}, {"status": "won", "status_reason": "签约"}):
        try:
            customer_update(actor=rep, customer=customers[0], data=data)
        except ChangeHeld as held:
            remember("item_id", held.pending_id)
            remember("request_id", held.pending_id)
    for user in users.values():
        remember("user_id", user.pk)
    remember("team_id", east.pk, south.pk)
    remember("kind", *ReviewRule.Kind.values)
    remember("context", *DuplicateAction.Context.values)
    remember("notification_id", *_notifications(users))
    for actor in (admin, rep):
        preset = mapping_preset_save(actor=actor, name="模糊预设", mapping={"客户名称": "name"})
        run = import_upload(
            actor=actor,
            name="customers.csv",
            chunks=[("客户名称,手机\n模糊导入有限公司,13900002222\n").encode()],
            inspect=True,
        )
        remember("preset_id", preset.pk)
        remember("import_id", run.pk)
    remember("job_id", dedupe_scan_start(actor=admin).pk)
    remember("tag_id", *Tag.objects.values_list("pk", flat=True)[:3])  # the library (issue 17)
    remember("type_id", *TagType.objects.values_list("pk", flat=True)[:3])
    remember(
        "rule_id",
        capture_rule_save(actor=admin, kind="assignment", data={"name": "华东线索"}).pk,
        capture_rule_save(
            actor=admin,
            kind="chat",
            data={"tag": "批量采购", "field": "quantity", "op": "gte", "value": "100"},
        ).pk,
        match_rule_save(actor=admin, data={"name": "模糊规则", "min_score": 0.9}).pk,
    )
    tokens = {}
    for role in ("admin", "rep"):
        token, raw = api_token_create(actor=users[role], user=users[role], name="fuzz")
        tokens[role] = raw
        remember("token_id", token.pk)
    return {"users": users, "values": values, "tokens": tokens, "good": _good_bodies(values)}


def _notifications(users: dict[str, Any]) -> list[int]:
    notification_send(users=[users["admin"], users["rep"]], message="模糊测试通知")
    return [n.pk for user in users.values() for n in user.notifications.all()]


def _good_bodies(values: dict[str, list[Any]]) -> dict[str, dict[str, Any]]:
    """A payload each writing operation accepts (for the records of the dataset)."""
    customer_no, customer_id = values["customer_no"][0], values["customer_id"]
    return {
        "POST /api/v1/customers": {
            "name": "模糊新客户有限公司",
            "decision_maker": {"name": "李四", "mobile": "13912345678"},
            "allow_duplicate": True,
        },
        "PATCH /api/v1/customers/{customer_no}": {"city": "上海市"},
        "POST /api/v1/customers/{customer_no}/status": {"status": "intent", "reason": "有意向"},
        "POST /api/v1/review/bulk-update": {
            "customer_nos": [customer_no],
            "changes": {"city": "杭州市"},
        },
        "POST /api/v1/customers/{customer_no}/contacts": {
            "name": "新联系人",
            "mobile": "13987654321",
        },
        "PATCH /api/v1/contacts/{contact_id}": {"title": "采购经理"},
        "POST /api/v1/sources": {"name": "展会", "code": "expo-fuzz"},
        "POST /api/v1/customers/{customer_no}/shares": {"user": "fuzz-manager"},
        "POST /api/v1/customers/{customer_no}/pool": {"team": values["team_id"][0]},
        "POST /api/v1/customers/{customer_no}/reveal": {"field": "phone"},
        "POST /api/v1/contacts/{contact_id}/reveal": {"field": "mobile"},
        "PUT /api/v1/review/rules/{kind}": {"threshold": "5", "is_active": True},
        "POST /api/v1/review/{item_id}/approve": {"note": "同意"},
        "POST /api/v1/review/{item_id}/reject": {"note": "不同意"},
        "POST /api/v1/change-requests/{request_id}/approve": {"comment": "同意"},
        "POST /api/v1/change-requests/{request_id}/reject": {"comment": "不同意"},
        "POST /api/v1/dedupe/check": {"name": "模糊测试0贸易有限公司"},
        "POST /api/v1/dedupe/merge": {"survivor": customer_id[0], "merged": customer_id[3]},
        "POST /api/v1/dedupe/rules": {"name": "新规则", "min_score": 0.8},
        "PATCH /api/v1/dedupe/rules/{rule_id}": {"min_score": 0.85},
        "PUT /api/v1/dedupe/actions/{context}": {"action": "alert"},
        "POST /api/v1/customers/{customer_no}/interactions": {"method": "phone", "topic": "回访"},
        "PATCH /api/v1/interactions/{interaction_no}": {"topic": "再次回访"},
        "POST /api/v1/events": {"events": [{"customer_no": customer_no, "kind": "web_visit"}]},
        "POST /api/v1/customers/{customer_no}/follow-ups": {"kind": "next_action", "title": "回电"},
        "POST /api/v1/follow-ups/{follow_up_id}/complete": {"note": "已回电"},
        "POST /api/v1/customers/{customer_no}/opportunities": {
            "title": "新商机",
            "expected_amount": "50000",
        },
        "PATCH /api/v1/opportunities/{opportunity_id}": {"stage": "proposal"},
        "POST /api/v1/customers/{customer_no}/orders": {"amount": "10000"},
        "PATCH /api/v1/orders/{order_no}": {"notes": "加急"},
        "POST /api/v1/import-presets": {"name": "我的预设", "mapping": {"客户名称": "name"}},
        "PATCH /api/v1/import-presets/{preset_id}": {"name": "改名的预设"},
        "PUT /api/v1/imports/{import_id}/mapping": {"mapping": {"客户名称": "name"}},
        "POST /api/v1/capture/card/save": {"name": "张三", "company": "名片测试有限公司"},
        "POST /api/v1/capture/chat": {"text": "需要100台电脑，预算5万", "customer_no": customer_no},
        "POST /api/v1/leads": {"name": "王先生", "mobile": "13911112222", "consent": True},
        "POST /api/v1/leads/rules": {"name": "华南线索", "priority": 10},
        "PUT /api/v1/leads/rules/{rule_id}": {"name": "华南线索", "priority": 0},
        "POST /api/v1/leads/domains": {"domain": "example.cn", "company": "示例有限公司"},
        "POST /api/v1/capture/chat-rules": {
            "tag": "批量采购",
            "field": "budget_amount",
            "op": "gte",
            "value": "1000000",
        },
        "PUT /api/v1/capture/chat-rules/{rule_id}": {
            "tag": "价格敏感型",
            "field": "quantity",
            "op": "lte",
            "value": "5",
        },
        "POST /api/v1/customers/{customer_no}/tags": {"tag": "VIP"},  # a library tag
        "POST /api/v1/users/{user_id}/handover/plan": {"default": "pool"},
        "POST /api/v1/pool/{customer_no}/return": {"reason": "暂无需求"},
        "PATCH /api/v1/teams/{team_id}": {"pool_claim_daily_limit": 5},
        "PATCH /api/v1/settings/company": {"name": "示例有限公司", "pool_claim_limit": 8},
    }


@pytest.fixture(params=["admin", "rep"])
def persona(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def api_schema(world: dict[str, Any], persona: str, db: Any, settings: Any, tmp_path: Any) -> Any:
    """/api/v1/openapi.json as the WSGI application serves it, with the persona's token."""
    settings.KEHU_IMPORT_DIR = tmp_path / "imports"
    # The WSGI handler closes a connection that is inside a transaction at each request's start
    # and end (Django's test client disconnects the same signal): keep the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    from kehu.wsgi import application

    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "headers": {"Authorization": f"Bearer {world['tokens'][persona]}"},
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
                "with-security-parameters": False,
            },
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=config)
    real, good = world["values"], world["good"]

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
        generated = path_parameters or {}
        known = {k: real[k] for k in generated if k in real}
        if not known:
            return st.just(path_parameters)
        chosen = st.fixed_dictionaries({k: st.sampled_from(v) for k, v in known.items()})
        return st.one_of(st.just(path_parameters), chosen.map(lambda c: {**generated, **c}))

    @schema.hook
    def flatmap_body(context: Any, body: Any) -> Any:
        payload = good.get(context.operation.label)
        return st.just(body) if payload is None else st.sampled_from([body, payload])

    yield schema
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_api_conforms_to_its_schema(case: Any) -> None:
    """No 5xx, only declared statuses, bodies as declared; nothing a case wrote survives it."""
    with transaction.atomic():
        try:
            case.call_and_validate(checks=CHECKS)
        finally:
            transaction.set_rollback(True)
