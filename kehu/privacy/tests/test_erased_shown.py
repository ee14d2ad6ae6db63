"""An erased person's marker is stored as data ("[erased] CX2026…"); every page shows it in
the reader's language (zh-hans 已抹除) through one filter, and search still finds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from kehu.interactions.services.followups import followup_create

pytestmark = pytest.mark.django_db

NAME = "孙美玲"
MOBILE = "13566667777"


def test_erased_person_is_shown_by_the_translated_marker(
    api: Any, client: Any, admin_user: Any, steward: Any, customer_factory: Any
) -> None:
    person = customer_factory(
        name=NAME, kind="individual", decision_maker={"name": NAME, "mobile": MOBILE}
    )
    followup_create(
        actor=admin_user, customer=person, kind="other", title=f"回访{NAME}", owner=admin_user
    )
    created = api.login(steward).post(
        "/api/v1/privacy/requests", {"kind": "erasure", "phone": MOBILE}
    )
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    erased = api.post(f"/api/v1/privacy/requests/{request_id}/erase", {"confirm": True})
    assert erased.status_code == 200, erased.content
    person.refresh_from_db()
    assert person.name.startswith("[erased] ")  # what is stored stays the marker

    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (
        "/customers/",
        f"/customers/{person.customer_no}/",
        "/follow-ups/",
        "/my-day/",
        "/privacy/requests/",
        f"/privacy/requests/{request_id}/",
    ):
        page = client.get(url).content.decode()
        assert "[erased]" not in page, url
        assert "(erased)" in page, url
        assert NAME not in page, url
    assert api.login(admin_user).get("/api/v1/search", q=NAME).json()["total"] == 0
