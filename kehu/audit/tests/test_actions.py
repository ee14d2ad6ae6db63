"""Audit actions are one enum with English and zh-hans labels; anything else is refused; pages
and the API show the label, never the stored value."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.utils import translation

from kehu.accounts.models import Role
from kehu.audit.actions import AuditAction, action_label
from kehu.audit.models import AuditEntry, ReadEntry
from kehu.audit.services import PendingEntry, audit_record, audit_record_many, read_record
from kehu.conftest import make_user
from kehu.tags.tests.helpers import library

pytestmark = pytest.mark.django_db


def _visible_text(html: str) -> str:
    """What a person reads on the page: no tags, no attribute values, no scripts."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_every_action_has_a_chinese_label_from_the_catalogue() -> None:
    for action in AuditAction:
        with translation.override("en"):
            english = str(action.label)
        with translation.override("zh-hans"):
            chinese = str(action.label)
        assert english and chinese, action.value
        assert chinese != english, f"{action.value}: no zh-hans translation of {english!r}"
        assert re.search(r"[\u4e00-\u9fff]", chinese), (action.value, chinese)


def test_labels_are_distinct() -> None:
    """Two actions with one label would read alike on the audit page's filter."""
    with translation.override("zh-hans"):
        labels = [str(a.label) for a in AuditAction]
    with translation.override("en"):
        english = [str(a.label) for a in AuditAction]
    assert len(set(labels)) == len(labels)
    assert len(set(english)) == len(english)


def test_an_unknown_action_is_refused_and_nothing_is_written(rep: Any) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(ValueError, match="customer.teleported"):
        audit_record(actor=rep, action="customer.teleported")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="customer.teleported"):
        audit_record_many(
            actor=rep,
            entries=[
                PendingEntry(action=AuditAction.CUSTOMER_UPDATED, target=rep, changes={}),
                PendingEntry(action="customer.teleported", target=rep, changes={}),  # type: ignore[arg-type]
            ],
        )
    assert AuditEntry.objects.count() == before
    entry = audit_record(actor=rep, action=AuditAction.USER_LOGGED_IN, target=rep)
    assert type(entry.action) is str and entry.action == "user.logged_in"


def test_an_unknown_read_kind_is_refused(rep: Any) -> None:
    with pytest.raises(ValueError, match="peek"):
        read_record(actor=rep, kind="peek")  # type: ignore[arg-type]
    assert not ReadEntry.objects.exists()
    read_record(actor=rep, kind=ReadEntry.Kind.SEARCH, query="华东")
    assert ReadEntry.objects.get().kind == "search"


def test_an_action_the_enum_no_longer_lists_shows_as_stored() -> None:
    assert action_label("customer.status_changed") == "customer.status_changed"
    with translation.override("zh-hans"):
        assert action_label("customer.tagged") == str(AuditAction.CUSTOMER_TAGGED.label)


@pytest.fixture
def tagged_and_merged(api: Any, rep: Any, customer_factory: Any) -> Any:
    """A customer tagged through the API, then another customer merged into it."""
    survivor = customer_factory(name="深圳市华信软件有限公司", city="深圳市")
    merged = customer_factory(name="华信软件（深圳）股份有限公司")
    library("重点")  # tags come from the library (issue 17)
    response = api.login(rep).post(
        f"/api/v1/customers/{survivor.customer_no}/tags", {"tag": "重点"}
    )
    assert response.status_code == 200
    steward = make_user("steward", Role.STEWARD, None)
    response = api.login(steward).post(
        "/api/v1/dedupe/merge", {"survivor": survivor.pk, "merged": merged.pk}
    )
    assert response.status_code == 200, response.content
    return survivor, merged


def test_360_page_and_history_api_show_the_chinese_labels(
    api: Any, admin_user: Any, tagged_and_merged: Any
) -> None:
    survivor, _merged = tagged_and_merged
    page = api.login(admin_user).client.get(f"/customers/{survivor.customer_no}/")
    assert page.status_code == 200
    history = page.content.decode().split('id="history"', 1)[1].split("</section>", 1)[0]
    text = _visible_text(history)
    assert "添加标签" in text
    assert "合并了另一客户" in text
    assert "customer.tagged" not in page.content.decode()
    assert "customer.merged" not in page.content.decode()

    items = api.get(f"/api/v1/customers/{survivor.customer_no}/history").json()["items"]
    labels = {item["action"]: item["action_label"] for item in items}
    assert labels["customer.tagged"] == "添加标签"
    assert labels["customer.merged"] == "合并了另一客户"


def test_audit_page_and_api_show_labels_and_filter_by_the_enum(
    api: Any, admin_user: Any, tagged_and_merged: Any
) -> None:
    survivor, merged = tagged_and_merged
    api.login(admin_user)
    page = api.client.get("/audit/")
    assert page.status_code == 200
    table = page.content.decode().split('id="audit-entries"', 1)[1].split("</table>", 1)[0]
    cells = [
        _visible_text(c).strip() for c in re.findall(r'<td class="action"[^>]*>(.*?)</td>', table)
    ]
    assert "添加标签" in cells and "合并了另一客户" in cells and "被合并到另一客户" in cells
    assert not [c for c in cells if re.fullmatch(r"[a-z_]+\.[a-z_]+", c)], cells
    assert "customer.tagged" not in _visible_text(page.content.decode())
    # The filter is a select of every action, by label.
    form = page.content.decode().split('id="audit-filters"', 1)[1].split("</form>", 1)[0]
    options = dict(re.findall(r'<option value="([a-z_.]+)"[^>]*>([^<]+)</option>', form))
    assert set(AuditAction.values) <= set(options)
    assert options["customer.tagged"] == "添加标签"

    filtered = api.client.get("/audit/", {"action": "customer.tagged"}).content.decode()
    rows = re.findall(r'<tr id="audit-(\d+)">', filtered)
    tagged = AuditEntry.objects.filter(action=AuditAction.CUSTOMER_TAGGED)
    assert sorted(map(int, rows)) == sorted(tagged.values_list("pk", flat=True)) and rows
    assert 'value="customer.tagged" selected' in filtered

    items = api.get("/api/v1/audit", action="customer.merged_into").json()["items"]
    assert [(i["customer_no"], i["action_label"]) for i in items] == [(None, "被合并到另一客户")]
    assert items[0]["target"] == str(merged)
    response = api.get("/api/v1/audit", action="customer.teleported")
    assert response.status_code == 422
    assert "action" in response.content.decode()
    response = api.client.get("/audit/", {"action": "customer."})  # no prefixes any more
    assert response.status_code == 422
    assert "customer." in _visible_text(response.content.decode())
