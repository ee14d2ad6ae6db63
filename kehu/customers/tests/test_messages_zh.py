"""A value not in a list is answered with the list's labels, in Chinese (zh-hans)."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_a_wrong_choice_lists_the_labels(client: Any, rep: Any) -> None:
    client.force_login(rep)
    response = client.post(
        "/api/v1/customers",
        json.dumps({"name": "上海测试科技有限公司", "mobile": "13800138000", "status": "暂停"}),
        content_type="application/json",
        **ZH,
    )
    assert response.status_code == 422
    assert response.json()["errors"]["status"] == [
        "“暂停”不是允许的取值：潜在客户、意向客户、成交客户、流失客户。"
    ]
    listed = client.get("/api/v1/customers", {"size": "巨型"}, **ZH)
    assert listed.status_code == 422
    assert listed.json()["errors"]["size"] == [
        "“巨型”不是允许的取值：小型企业 <100人、中型企业 100-500人、大型企业 >500人。"
    ]
