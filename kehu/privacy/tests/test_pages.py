"""The privacy pages through Django's test client (issue 19)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings

from kehu.audit.services import audit_verify
from kehu.privacy.models import Consent, RetentionPolicy, RetentionRun, SubjectRequest

pytestmark = pytest.mark.django_db


def test_register_find_export_and_erase_on_the_pages(
    client: Any, steward: Any, customer_factory: Any
) -> None:
    customer = customer_factory(
        name="苏州页测试有限公司",
        decision_maker={"name": "黄页面", "title": "经理", "mobile": "13600001111"},
    )
    client.force_login(steward)
    page = client.get("/privacy/requests/")
    assert page.status_code == 200 and "登记请求" in page.content.decode()
    bad = client.post("/privacy/requests/", {"kind": "erasure"}, follow=True)
    assert "电话" in bad.content.decode() and SubjectRequest.objects.count() == 0
    made = client.post("/privacy/requests/", {"kind": "erasure", "phone": "136 0000 1111"})
    row = SubjectRequest.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/privacy/requests/{row.pk}/"
    detail = client.get(f"/privacy/requests/{row.pk}/").content.decode()
    assert "黄页面" in detail and customer.name in detail and "erase-submit" in detail
    export = client.get(f"/privacy/requests/{row.pk}/export.json")
    assert json.loads(export.content)["contacts"][0]["name"] == "黄页面"
    unconfirmed = client.post(f"/privacy/requests/{row.pk}/", {"action": "erase"}, follow=True)
    assert "请勾选确认" in unconfirmed.content.decode()
    erased = client.post(
        f"/privacy/requests/{row.pk}/", {"action": "erase", "confirm": "yes"}, follow=True
    )
    text = erased.content.decode()
    assert "已删除：联系人1个" in text and "黄页面" not in text
    row.refresh_from_db()
    assert row.status == "done" and row.phone == "[erased]"
    assert "黄页面" not in client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert list(audit_verify()) == []


def test_retention_page_previews_saves_and_runs(client: Any, admin_user: Any) -> None:
    policy = RetentionPolicy.objects.get(kind="import_files")
    client.force_login(admin_user)
    page = client.get("/settings/retention/").content.decode()
    assert "流失客户180天后匿名化" in page and "试运行" in page
    client.post("/settings/retention/", {"policy_id": policy.pk, "action": "save", "days": "0"})
    policy.refresh_from_db()
    assert policy.days == 30  # refused: a day at least
    client.post(
        "/settings/retention/",
        {"policy_id": policy.pk, "action": "save", "days": "7", "is_enabled": "on"},
    )
    policy.refresh_from_db()
    assert policy.days == 7 and policy.is_enabled
    shown = client.post(
        "/settings/retention/", {"policy_id": policy.pk, "action": "preview"}, follow=True
    )
    assert "试运行：将处理0条" in shown.content.decode()
    assert RetentionRun.objects.filter(policy=policy, is_dry_run=True).count() == 1


def test_retention_page_labels_are_capitalised_in_english(client: Any, admin_user: Any) -> None:
    policy = RetentionPolicy.objects.get(kind="import_files")
    RetentionRun.objects.create(policy=policy, is_dry_run=True)
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/settings/retention/").content.decode()
    for label in ("After days", "Enabled", "Started at", "Dry run", "Matched", "Processed"):
        assert f">{label}<" in page or f"> {label}<" in page, label
    assert ">Yes<" in page and ">Nightly<" in page
    for lower in ("after days", ">enabled<", "started at", ">matched<", ">processed<"):
        assert lower not in page, lower
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.get("/settings/retention/").content.decode()
    assert "After days" not in chinese and "Started at" not in chinese


def test_consents_section_records_and_withdraws(
    client: Any, rep: Any, support: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="宁波同意页面有限公司")
    url = f"/customers/{customer.customer_no}/consents/"
    client.force_login(rep)
    empty = client.get(url).content.decode()
    assert "尚无同意记录" in empty and "记录同意" in empty
    refused = client.post(url + "record/", {"purpose": "marketing", "channel": "card"})
    assert refused.status_code == 422 and "同意依据" in refused.content.decode()
    done = client.post(
        url + "record/", {"purpose": "marketing", "channel": "card", "basis": "展会名片"}
    )
    assert done.status_code == 200 and "营销" in done.content.decode()
    consent = Consent.objects.get(customer=customer)
    client.post(url + "withdraw/", {"consent_id": consent.pk})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    client.force_login(support)  # cannot see this (a prospect): 404, nothing recorded
    assert (
        client.post(url + "record/", {"purpose": "service", "channel": "phone"}).status_code == 404
    )
    assert Consent.objects.count() == 1
    detail = client.get(f"/customers/{customer.customer_no}/")
    assert detail.status_code == 404
