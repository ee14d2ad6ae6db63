"""The search API's errors are Chinese (zh-hans)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_limit_out_of_range_is_chinese(client: Any, rep: Any) -> None:
    client.force_login(rep)
    response = client.get(
        "/api/v1/search", {"q": "华信", "limit": 51}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 422
    assert response.json()["errors"]["limit"] == ["请填 1 到 50 之间的数。"]
