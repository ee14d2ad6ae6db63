"""The request register's button records a request (登记), it does not sign anyone up (注册):
its own context, so the OAuth page's "Register" (注册 an application) keeps its meaning."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_register_button_is_not_sign_up(client: Any, steward: Any, admin_user: Any) -> None:
    client.force_login(steward)
    page = client.get("/privacy/requests/").content.decode()
    button = re.search(r'id="request-submit">([^<]*)</button>', page)
    assert button is not None and button.group(1) != "注册"
    client.force_login(admin_user)
    oauth = client.get("/oauth/applications/").content.decode()
    found = re.search(r'id="oauth-register">([^<]*)</button>', oauth)
    assert found is not None and found.group(1) == "注册"
