"""The on-save check (API and partial), rules and actions."""

from __future__ import annotations

from typing import Any

from kehu.customers.models import DuplicateAction, MatchRule

PAYLOAD = {
    "name": "华信软件(深圳)有限公司",
    "decision_maker": {"name": "王建国", "mobile": "13912345678"},
}


def test_check_warns_with_a_link_and_reasons(api: Any, rep: Any, pair_of_customers: Any) -> None:
    a, b = pair_of_customers
    response = api.login(rep).post("/api/v1/dedupe/check", PAYLOAD)
    assert response.status_code == 200
    body = response.json()
    assert body["action"] == "alert"
    assert {m["customer_no"] for m in body["matches"]} == {a.customer_no, b.customer_no}
    match = body["matches"][0]
    assert match["url"] == f"/dedupe/customers/{match['customer_id']}/"
    assert any(r["field"] == "phone" and r["weight"] > 0 for r in match["explanation"])


def test_check_allows_a_new_company(api: Any, rep: Any, pair_of_customers: Any) -> None:
    response = api.login(rep).post(
        "/api/v1/dedupe/check",
        {
            "name": "杭州远景能源有限公司",
            "decision_maker": {"name": "赵六", "mobile": "13600000009"},
        },
    )
    assert response.json() == {
        "action": "allow",
        "rule": "",
        "matches": [],
        "hidden": 0,
        "message": "",
    }


def test_check_when_editing_leaves_the_record_out(
    api: Any, rep: Any, customer_factory: Any
) -> None:
    only = customer_factory(
        name="华信软件有限公司", decision_maker={"name": "王建国", "mobile": "13912345678"}
    )
    response = api.login(rep).post(
        "/api/v1/dedupe/check", {**PAYLOAD, "customer_id": only.pk, "context": "edit"}
    )
    assert response.json()["matches"] == []


def test_admin_sets_block_action_and_rule(
    api: Any, admin_user: Any, rep: Any, pair_of_customers: Any
) -> None:
    api.login(admin_user)
    assert (
        api.client.put(
            "/api/v1/dedupe/actions/create", {"action": "block"}, content_type="application/json"
        ).status_code
        == 200
    )
    response = api.post(
        "/api/v1/dedupe/rules",
        {"name": "same phone", "min_score": 0.5, "required_fields": ["phone"]},
    )
    assert response.status_code == 201
    assert MatchRule.objects.get().required_fields == ["phone"]
    body = api.login(rep).post("/api/v1/dedupe/check", PAYLOAD).json()
    assert body["action"] == "block" and body["rule"] == "same phone"
    # A rule that needs the credit code to agree does not fire on this payload.
    MatchRule.objects.update(required_fields=["credit_code"])
    assert api.post("/api/v1/dedupe/check", PAYLOAD).json()["action"] == "allow"


def test_rep_cannot_change_rules_or_actions(api: Any, rep: Any) -> None:
    api.login(rep)
    assert api.post("/api/v1/dedupe/rules", {"name": "x"}).status_code == 403
    response = api.client.put(
        "/api/v1/dedupe/actions/create", {"action": "block"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not DuplicateAction.objects.exists() and not MatchRule.objects.exists()


def test_form_partial_shows_the_warning(client: Any, rep: Any, pair_of_customers: Any) -> None:
    a, _b = pair_of_customers
    client.force_login(rep)
    response = client.post(
        "/dedupe/check/",
        {"name": PAYLOAD["name"], "decision_maker_mobile": "13912345678"},
    )
    assert response.status_code == 200
    assert a.customer_no in response.content.decode()
    assert 'id="dedupe-warning"' in response.content.decode()


def test_rules_page(client: Any, admin_user: Any) -> None:
    client.force_login(admin_user)
    response = client.post(
        "/dedupe/rules/", {"form": "action", "context": "import", "action": "queue"}
    )
    assert response.status_code == 302
    assert DuplicateAction.objects.get(context="import").action == "queue"
    assert client.get("/dedupe/rules/").status_code == 200
