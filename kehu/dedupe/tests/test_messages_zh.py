"""The duplicate pages and check speak Chinese: a scan's result by its labels, hidden
duplicates counted (zh-hans)."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.core.models import Job

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
PAYLOAD = {
    "name": "华信软件(深圳)有限公司",
    "decision_maker": {"name": "王建国", "mobile": "13912345678"},
}


def test_scan_result_shows_labels_not_keys(client: Any, steward: Any) -> None:
    Job.objects.create(
        kind="dedupe.scan",
        title="重复扫描",
        started_by=steward,
        status=Job.Status.SUCCEEDED,
        result={"pairs": 352, "new": 12},
    )
    client.force_login(steward)
    page = client.get("/dedupe/", **ZH).content.decode()
    assert "<li>疑似重复客户对：352</li>" in page and "<li>其中新增：12</li>" in page
    assert "pairs:" not in page and "new:" not in page


def test_two_hidden_duplicates_are_counted(api: Any, outsider: Any, pair_of_customers: Any) -> None:
    response = api.login(outsider).client.post(
        "/api/v1/dedupe/check", PAYLOAD, content_type="application/json", **ZH
    )
    body = response.json()
    assert body["hidden"] == 2 and body["matches"] == []
    assert body["message"] == "存在 2 个你无权查看的疑似重复客户，已通知数据专员。"
