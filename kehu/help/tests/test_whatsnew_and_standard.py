"""Release notes with an unread badge, and the data standard read from the code (issue 20)."""

from __future__ import annotations

from typing import Any

from kehu.customers.models import Customer
from kehu.customers.validators import BUDGET_LIMITS, STANDARD_FIELDS
from kehu.help.content import whatsnew
from kehu.help.models import WhatsNewSeen
from kehu.interactions.validators import STANDARD_REQUIRED
from kehu.tags.tests.helpers import library


def test_release_notes_are_newest_first_in_both_languages(db: Any) -> None:
    zh, en = whatsnew("zh-hans"), whatsnew("en")
    versions = [n.version for n in zh]
    assert len(versions) >= 2
    assert versions == sorted(versions, key=lambda v: tuple(map(int, v.split("."))), reverse=True)
    assert [n.version for n in en] == versions
    assert zh[0].title != en[0].title


def test_the_badge_counts_unread_notes_until_they_are_opened(client: Any, rep: Any) -> None:
    client.force_login(rep)
    count = len(whatsnew())
    page = client.get("/").content.decode()
    assert f'<span class="badge intent" id="whatsnew-badge">{count}</span>' in page
    notes = client.get("/help/whatsnew/")
    assert notes.status_code == 200
    text = notes.content.decode()
    assert whatsnew()[0].title in text and "新" in text
    assert WhatsNewSeen.objects.get(user=rep).version == whatsnew()[0].version
    assert 'id="whatsnew-badge"' not in client.get("/").content.decode()


def test_whatsnew_api_and_marking_seen(api: Any, rep: Any) -> None:
    api.login(rep)
    notes = whatsnew()
    body = api.get("/api/v1/help/whatsnew").json()
    assert body["seen_version"] is None and body["unseen"] == len(notes)
    assert [n["version"] for n in body["notes"]] == [n.version for n in notes]
    assert all(n["is_new"] and n["html"] for n in body["notes"])
    oldest = notes[-1].version
    assert api.post("/api/v1/help/whatsnew/seen", {"version": oldest}).json() == {
        "seen_version": oldest
    }
    body = api.get("/api/v1/help/whatsnew").json()
    assert body["unseen"] == len(notes) - 1
    assert [n["is_new"] for n in body["notes"]][-1] is False
    bad = api.post("/api/v1/help/whatsnew/seen", {"version": "1999.1"})
    assert bad.status_code == 422 and "version" in bad.json()["errors"]
    assert api.post("/api/v1/help/whatsnew/seen", {}).json()["seen_version"] == notes[0].version
    # Never moves back.
    assert api.post("/api/v1/help/whatsnew/seen", {"version": oldest}).json() == {
        "seen_version": notes[0].version
    }
    english = api.get("/api/v1/help/whatsnew?language=en").json()
    assert english["language"] == "en" and english["unseen"] == 0


def test_standard_api_is_read_from_the_models_and_rules(api: Any, rep: Any) -> None:
    library("高价值")
    api.login(rep)
    response = api.get("/api/v1/help/standard")
    assert response.status_code == 200
    body = response.json()
    entities = {e["key"]: {f["name"]: f for f in e["fields"]} for e in body["entities"]}
    assert set(entities) == {"customer", "contact", "interaction"}
    customer = entities["customer"]
    # Every concrete customer field is there unless Kehu keeps it for itself.
    shown = {f.name for f in Customer._meta.concrete_fields} - {
        "id", "name_normalized", "name_sort", "phone_partial", "missing_fields", "custom_fields",
        "external_source", "external_id", "version",  # the edit counter
        "phone_bidx", "phone_tail_bidx", "email_bidx", "email_domain_bidx",  # blind indexes
    }  # fmt: skip
    assert set(customer) == shown
    required = {name for name, f in customer.items() if f["required"]}
    assert {f.name for f in STANDARD_FIELDS if f.name in customer} | {"name"} <= required
    assert not customer["notes"]["required"] and customer["customer_no"]["system"]
    assert "注册全称" in customer["name"]["rule"]
    small, large = BUDGET_LIMITS
    assert f"{int(small) // 10000}万" in customer["budget_amount"]["rule"]
    assert customer["status"]["values"] == "customer.status"
    interaction = entities["interaction"]
    for name, message in STANDARD_REQUIRED.items():
        assert interaction[name]["required"] and interaction[name]["rule"] == str(message)
    assert entities["contact"]["name"]["required"]
    lists = {v["key"]: v for v in body["value_lists"]}
    statuses = {v["code"]: v["label"] for v in lists["customer.status"]["values"]}
    assert statuses["won"] != "won" and statuses["lead"] != "lead"  # labels, translated
    assert {"industry", "source", "province", "interaction.method"} <= set(lists)
    assert any(v["label"] == "广东省" for v in lists["province"]["values"])
    assert "高价值" in {t["name"] for t in body["tags"]}


def test_standard_page(client: Any, rep: Any) -> None:
    library("高价值")
    client.force_login(rep)
    page = client.get("/help/standard/")
    assert page.status_code == 200
    text = page.content.decode()
    for anchor in (
        "fields-customer",
        "fields-contact",
        "fields-interaction",
        "value-lists",
        "tags",
    ):
        assert f'id="{anchor}"' in text
    assert "高价值" in text and "广东省" in text and "注册全称" in text
