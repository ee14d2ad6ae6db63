"""/api/v1/tag-rules, /api/v1/tag-decay-rules and /settings/tag-rules/: who may read, change,
preview and run; what a customer's tag history shows."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kehu.accounts.models import Role
from kehu.audit.models import AuditEntry
from kehu.conftest import make_user
from kehu.core.models import Job
from kehu.tags.models import KeywordTagRule, TagChange, TagDecayRule
from kehu.tags.rules.events import cursor_start, events_process

pytestmark = pytest.mark.django_db
RULE = {"name": "提到招标", "tag": "潜在需求", "keywords": ["招标", "采购计划"]}
DECAY = {
    "name": "价格敏感型一年后移除",
    "kind": "expiry",
    "tag": "价格敏感型",
    "days": 365,
}


@pytest.fixture
def steward(db: Any) -> Any:
    return make_user("steward", Role.STEWARD, None)


def test_everyone_reads_editors_change(api: Any, rep: Any, steward: Any) -> None:
    api.login(rep)
    listed = api.get("/api/v1/tag-rules").json()
    assert {r["tag"] for r in listed} >= {"价格敏感型", "产品教育需求", "竞品对比"}
    assert len(api.get("/api/v1/tag-decay-rules").json()) == 2
    assert api.post("/api/v1/tag-rules", RULE).status_code == 403
    assert api.post("/api/v1/tag-decay-rules", DECAY).status_code == 403
    first = listed[0]["id"]
    assert api.post(f"/api/v1/tag-rules/{first}/preview").status_code == 403
    assert api.post(f"/api/v1/tag-rules/{first}/apply").status_code == 403
    assert api.delete(f"/api/v1/tag-rules/{first}").status_code == 403
    assert not KeywordTagRule.objects.filter(name=RULE["name"]).exists()

    api.login(steward)
    created = api.post("/api/v1/tag-rules", RULE)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["keywords"] == ["招标", "采购计划"] and "不" in body["negations"]
    assert set(body["texts"]) == {"interaction", "chat", "customer_notes", "followup_notes"}
    assert AuditEntry.objects.filter(action="tag_rule.saved").count() == 1
    changed = api.client.put(
        f"/api/v1/tag-rules/{body['id']}",
        json.dumps({**RULE, "keywords": ["招标"], "texts": ["customer_notes"]}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["texts"] == ["customer_notes"]
    decay = api.post("/api/v1/tag-decay-rules", DECAY)
    assert decay.status_code == 201, decay.content
    assert decay.json()["replace_with"] is None
    assert api.post(f"/api/v1/tag-decay-rules/{decay.json()['id']}/preview").json() == {
        "customers": 0
    }
    assert api.delete(f"/api/v1/tag-rules/{body['id']}").status_code == 204


def test_rules_take_library_tags_and_sane_values(api: Any, admin_user: Any) -> None:
    api.login(admin_user)
    unknown = api.post("/api/v1/tag-rules", {**RULE, "tag": "我随便起的标签xyz"})
    assert unknown.status_code == 422 and "tag" in unknown.json()["errors"]
    empty = api.post("/api/v1/tag-rules", {**RULE, "keywords": [" "]})
    assert empty.status_code == 422
    same = api.post("/api/v1/tag-decay-rules", {**DECAY, "replace_with": "价格敏感型"})
    assert same.status_code == 422
    streak = api.post(
        "/api/v1/tag-decay-rules",
        {**DECAY, "kind": "streak", "streak": 3, "outcomes": ["no_such"]},
    )
    assert streak.status_code == 422 and "outcomes" in streak.json()["errors"]
    assert api.get("/api/v1/tag-rules/999999").status_code == 404


def test_preview_apply_and_history(
    api: Any, admin_user: Any, rep: Any, outsider: Any, customer_factory: Any
) -> None:
    customer_factory(notes="客户明年有招标计划")
    api.login(admin_user)
    rule = api.post("/api/v1/tag-rules", RULE).json()
    preview = api.post(f"/api/v1/tag-rules/{rule['id']}/preview")
    assert preview.status_code == 200
    assert preview.json() == {"matched": 1, "new": 1, "samples": ["客户明年有招标计划"]}
    started = api.post(f"/api/v1/tag-rules/{rule['id']}/apply")
    assert started.status_code == 202
    job = Job.objects.get(pk=started.json()["job_id"])
    assert job.kind == "tags.keyword_rule_run" and job.task_kwargs == {"rule_id": rule["id"]}


def test_a_customer_history_is_scoped(
    api: Any, rep: Any, outsider: Any, customer_factory: Any
) -> None:
    cursor_start()
    customer = customer_factory()
    from kehu.customers.services import customer_update

    customer_update(actor=rep, customer=customer, data={"notes": "竞品报价更低"})
    events_process()
    assert TagChange.objects.filter(customer=customer).count() == 1
    url = f"/api/v1/customers/{customer.customer_no}/tag-changes"
    api.login(rep)
    rows = api.get(url).json()
    assert rows[0]["to_tag"] == "竞品对比" and rows[0]["source"] == "rule"
    assert rows[0]["evidence"] == "竞品报价更低"
    assert rows[0]["rule_name"] == KeywordTagRule.objects.get(tag__name="竞品对比").name
    api.login(outsider)
    assert api.get(url).status_code == 404


def test_the_pages(client: Any, rep: Any, steward: Any) -> None:
    client.force_login(rep)
    assert client.get("/settings/tag-rules/").status_code == 403
    client.force_login(steward)
    page = client.get("/settings/tag-rules/")
    assert page.status_code == 200
    assert "预算有限 → 价格敏感型" in page.content.decode()
    added = client.post(
        "/settings/tag-rules/",
        {
            "form": "keyword",
            "name": "提到招标",
            "tag": "潜在需求",
            "keywords": "招标，采购计划",
            "negations": "不, 没有",
            "texts": ["interaction", "customer_notes"],
            "is_active": "on",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    rule = KeywordTagRule.objects.get(name="提到招标")
    assert rule.keywords == ["招标", "采购计划"] and rule.negations == ["不", "没有"]
    edit = client.get(f"/settings/tag-rules/{rule.pk}/")
    assert edit.status_code == 200
    assert 'value="提到招标"' in edit.content.decode()  # the form shows the rule
    preview = client.post(f"/settings/tag-rules/{rule.pk}/preview/", HTTP_HX_REQUEST="true")
    assert preview.status_code == 200 and "rule-preview" in preview.content.decode()
    assert client.post(f"/settings/tag-rules/{rule.pk}/run/").status_code == 302
    assert Job.objects.filter(kind="tags.keyword_rule_run").count() == 1
    decay = TagDecayRule.objects.get(kind="streak")
    assert client.get(f"/settings/tag-rules/decay/{decay.pk}/").status_code == 200
    bad = client.post(
        "/settings/tag-rules/",
        {"form": "decay", "name": "x", "kind": "expiry", "tag": "潜在需求", "days": ""},
    )
    assert bad.status_code == 422
    assert client.post(f"/settings/tag-rules/decay/{decay.pk}/preview/").status_code == 302
