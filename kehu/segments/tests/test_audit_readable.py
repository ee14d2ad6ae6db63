"""A segment's filters read in the audit trail as people typed them (province=浙江省), not
percent-encoded (province=%E6%B5%99…): the trail reads like a sentence."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import User

pytestmark = pytest.mark.django_db


def test_audit_page_shows_a_segments_filters_readable(
    api: Any, rep: User, admin_user: User, customer_factory: Any
) -> None:
    customer_factory(name="杭州丙贸易有限公司", province="浙江省", status="intent")
    made = api.login(rep).post(
        "/api/v1/segments", {"name": "华东意向", "query": "province=浙江省&status=intent"}
    )
    assert made.status_code == 201, made.content
    changed = api.patch(
        f"/api/v1/segments/{made.json()['id']}", {"query": "province=江苏省&status=intent"}
    )
    assert changed.status_code == 200, changed.content
    page = api.login(admin_user).client.get("/audit/").content.decode()
    history = api.get("/api/v1/audit", limit=20).content.decode()
    for shown in (page, history):
        assert "%E6" not in shown
        assert (
            "province=浙江省&amp;status=intent" in shown or "province=浙江省&status=intent" in shown
        )
        assert "province=江苏省" in shown
