"""The profile page names time zones in Chinese; the IANA name stays what is stored."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_time_zones_are_offered_by_readable_names(client: Any, rep: Any) -> None:
    client.force_login(rep)
    page = client.get("/profile/", **ZH).content.decode()
    assert '<option value="Asia/Shanghai">中国标准时间（北京/上海）</option>' in page
    assert '<option value="America/New_York">美国东部时间（纽约）</option>' in page
    assert "公司默认（中国标准时间（北京/上海））" in page
    client.post("/profile/time-zone/", {"time_zone": "Asia/Tokyo"}, **ZH)
    rep.refresh_from_db()
    assert rep.time_zone == "Asia/Tokyo"
    page = client.get("/profile/", **ZH).content.decode()
    assert '<option value="Asia/Tokyo" selected>日本时间（东京）</option>' in page
