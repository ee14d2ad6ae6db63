"""The reports API's errors are Chinese (zh-hans)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_days_out_of_range_is_chinese(client: Any, manager: Any) -> None:
    client.force_login(manager)
    response = client.get(
        "/api/v1/reports/quality/trend", {"days": 0}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 422
    assert response.json()["errors"]["days"] == ["应在 1 到 3660 之间。"]
