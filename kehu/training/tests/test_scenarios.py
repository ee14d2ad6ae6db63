"""Each shipped scenario's checks fail, with their message, on a fresh (unsolved) workspace and
pass once the trainee has done the work in it through the product's API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from kehu.accounts.models import Role
from kehu.conftest import make_user
from kehu.customers.models import Customer, Source
from kehu.training.checks.analysis import quarter_start
from kehu.training.models import CheckRun
from kehu.training.scenarios import scenarios_load

from .conftest import inside

STANDARD = {
    "name": "宁波东海培训汽配制造有限公司",
    "industry": "制造业",
    "size": "中型企业(100-500人)",
    "source": "展会拜访",
    "first_contact_date": "2026-03-05",
    "status": "意向客户",
    "decision_maker": {"name": "陈志强", "title": "采购总监", "mobile": "139 0574 1234"},
}


def check(api, scenario_id, answers=None):
    response = api.post(
        f"/api/v1/training/scenarios/{scenario_id}/check", {"answers": answers or {}}
    )
    assert response.status_code == 200, response.content
    return response.json()


def messages(body):
    return {r["step"]: (r["passed"], r["message"]) for r in body["results"]}


def test_the_shipped_scenarios_load_with_both_languages():
    scenarios = scenarios_load(strict=True)
    assert {
        "basic-create-customer",
        "basic-log-interaction",
        "drill-merge-duplicate",
        "drill-import-fix",
        "drill-capture-card",
        "drill-handover",
        "drill-report-export",
        "analysis-best-source",
    } <= set(scenarios)
    for scenario in scenarios.values():
        assert scenario.titles["zh-hans"] and scenario.titles["en"]
        assert all(step.hints["zh-hans"] and step.hints["en"] for step in scenario.steps)


def test_a_scenario_is_hidden_from_roles_it_does_not_name(api, rep, steward):
    api.login(rep)
    ids = [s["id"] for s in api.get("/api/v1/training/scenarios").json()]
    assert "basic-create-customer" in ids and "drill-merge-duplicate" not in ids
    assert api.get("/api/v1/training/scenarios/drill-merge-duplicate").status_code == 404
    api.login(steward)
    ids = [s["id"] for s in api.get("/api/v1/training/scenarios").json()]
    assert "drill-merge-duplicate" in ids


def test_checking_without_a_workspace_says_so(api, rep):
    api.login(rep)
    response = api.post("/api/v1/training/scenarios/basic-create-customer/check", {})
    assert response.status_code == 409
    assert "培训环境" in response.json()["detail"]


def test_create_customer_fails_unsolved_and_passes_solved(client, api, workspace_for, rep):
    workspace_for(rep)
    api.login(rep)
    body = check(api, "basic-create-customer")
    assert not body["passed"] and body["steps_passed"] == 0
    assert messages(body)["created"] == (False, "您还没有在培训环境中新建客户。")
    client.post("/training/enter/")
    # An abbreviation and a landline only: the name and the mobile steps say what is wrong.
    response = api.post("/api/v1/customers", {"name": "腾讯", "phone": "0571-88886666"})
    assert response.status_code == 201, response.content
    number = response.json()["customer_no"]
    body = messages(check(api, "basic-create-customer"))
    assert body["created"][0] is True
    assert body["full-name"] == (False, "“腾讯”不是工商注册全称（例如：深圳市某某科技有限公司）。")
    assert body["standard-fields"][0] is False and "行业" in body["standard-fields"][1]
    assert body["mobile"] == (False, "客户没有联系人。")
    results = check(api, "basic-create-customer")["results"]
    assert results[1]["link"] == f"/customers/{number}/"
    assert client.get(results[1]["link"]).status_code == 200  # the record, in the workspace
    # To the standard.
    assert api.post("/api/v1/customers", STANDARD).status_code == 201
    body = check(api, "basic-create-customer")
    assert body["passed"], body
    assert body["steps_passed"] == body["steps_total"] == 4


def test_log_interaction_fails_unsolved_and_passes_solved(client, api, workspace_for, rep):
    workspace_for(rep)
    api.login(rep)
    body = check(api, "basic-log-interaction")
    assert messages(body)["logged"] == (False, "您还没有在培训环境中记录互动。")
    client.post("/training/enter/")
    number = api.post("/api/v1/customers", STANDARD).json()["customer_no"]
    late = (timezone.now() - timedelta(days=3)).isoformat()
    response = api.post(
        f"/api/v1/customers/{number}/interactions",
        {
            "occurred_at": late,
            "method": "phone",
            "topic": "报价",
            "summary": "电话沟通报价。",
            "feedback": "not_now",
            "next_action": "下月再联系",
        },
    )
    assert response.status_code == 201, response.content
    body = messages(check(api, "basic-log-interaction"))
    assert body["logged"][0] is True
    assert body["within-24h"] == (False, "互动在发生24小时之后才录入。")
    assert body["topic-summary"][0] is True and body["feedback"][0] is True
    assert body["next-action"][0] is False and "截止" in body["next-action"][1]
    response = api.post(
        f"/api/v1/customers/{number}/interactions",
        {
            "occurred_at": (timezone.now() - timedelta(hours=2)).isoformat(),
            "method": "phone",
            "topic": "年度采购报价",
            "summary": "客户比较了三家供应商，关注交期。",
            "feedback": "interested",
            "next_action": "发送正式报价单",
            "next_action_due": (timezone.localdate() + timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    body = check(api, "basic-log-interaction")
    assert body["passed"], body
    assert body["steps_passed"] == 5


def test_merge_drill_fails_unsolved_and_passes_solved(client, api, workspace_for, steward):
    workspace = workspace_for(steward)
    api.login(steward)
    body = messages(check(api, "drill-merge-duplicate"))
    assert body["merged"] == (False, "苏州培训精工机械有限公司仍有 2 条记录：请合并为一条。")
    assert body["status-kept"] == (False, "请先合并重复客户。")
    with inside(workspace):
        pair = list(Customer.objects.filter(name__startswith="苏州培训精工机械").order_by("id"))
        won, other = pair[0].pk, pair[1].pk
        assert pair[0].status == Customer.Status.WON
    client.post("/training/enter/")
    response = api.post("/api/v1/dedupe/merge", {"survivor": other, "merged": won})
    assert response.status_code == 200, response.content
    body = check(api, "drill-merge-duplicate")
    assert body["passed"], body
    assert CheckRun.objects.filter(trainee=steward, passed=True).count() == 1


def test_analysis_answer_is_computed_from_the_workspace(api, workspace_for, db):
    manager = make_user("boss", Role.MANAGER, display_name="周经理")
    workspace = workspace_for(manager)
    api.login(manager)
    today = timezone.localdate()
    with inside(workspace):
        rows = (
            Customer.objects.filter(
                first_contact_date__gte=quarter_start(today), source__isnull=False
            )
            .values("source__code")
            .annotate(n=Count("id"), won=Count("id", filter=Q(status="won")))
        )
        rates = {r["source__code"]: r["won"] / r["n"] for r in rows}
        codes = list(Source.objects.values_list("code", flat=True))
    best = max(rates.values())
    right = sorted(code for code, rate in rates.items() if rate == best)
    wrong = next(code for code in codes if rates.get(code, 0) < best)
    body = messages(check(api, "analysis-best-source", {"source": wrong}))
    assert body["answer"] == (False, "这不是本季度转化率最高的来源，请再看看。")
    assert messages(check(api, "analysis-best-source", {}))["answer"][0] is False
    passed = [check(api, "analysis-best-source", {"source": code})["passed"] for code in right]
    assert any(passed)


def test_an_administrators_folder_adds_scenarios_and_a_bad_file_names_its_problem(
    settings, tmp_path, api, rep
):
    import json

    import pytest

    from kehu.training.scenarios import ScenarioError

    own: dict[str, Any] = {
        "id": "own-first-customer",
        "version": 3,
        "stage": "basic",
        "needs": {"roles": ["rep"]},
        "title": {"zh-hans": "本公司的第一课", "en": "Our first lesson"},
        "goal": {"zh-hans": "新建一个客户。", "en": "Create a customer."},
        "steps": [
            {
                "name": "created",
                "title": {"zh-hans": "新建客户", "en": "Create it"},
                "hint": {"zh-hans": "点击新建客户。", "en": "Choose New customer."},
                "check": {"name": "customer_created"},
            }
        ],
    }
    (tmp_path / "own.json").write_text(json.dumps(own, ensure_ascii=False), encoding="utf-8")
    settings.KEHU_TRAINING_SCENARIO_DIRS = [str(tmp_path)]
    api.login(rep)
    listed = {s["id"]: s for s in api.get("/api/v1/training/scenarios").json()}
    assert listed["own-first-customer"]["title"] == "本公司的第一课"
    assert listed["own-first-customer"]["version"] == 3
    own["steps"][0]["check"]["name"] = "no_such_check"
    (tmp_path / "own.json").write_text(json.dumps(own, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ScenarioError, match="own.json step 1: unknown check 'no_such_check'"):
        scenarios_load(strict=True)
    ids = [s["id"] for s in api.get("/api/v1/training/scenarios").json()]
    assert "own-first-customer" not in ids and "basic-create-customer" in ids
