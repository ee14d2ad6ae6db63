"""The lifecycle stage "new" is a new customer (新客户), not the "New customer" button's 新建客户
(create a customer): the customer list's lifecycle filter must not offer 新建客户."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_lifecycle_new_is_not_the_create_button(client, rep):
    client.force_login(rep)
    client.cookies["django_language"] = "zh-hans"
    body = client.get("/customers/").content.decode()
    options = re.findall(r'<option value="new"[^>]*>([^<]*)</option>', body)
    assert options and "新建客户" not in options
    client.cookies["django_language"] = "en"
    with translation.override(translation.get_language()):  # the page's "en" stays in it
        body = client.get("/customers/").content.decode()
    assert re.findall(r'<option value="new"[^>]*>([^<]*)</option>', body) == ["New customer"]
