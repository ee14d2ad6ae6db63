from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_chinese_by_default_even_for_an_english_browser(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans"' in response.content.decode()
    assert "登录" in response.content.decode()


def test_english_when_chosen(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    response = client.get("/login/")
    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en"' in response.content.decode()
    assert ">Log in</button>" in response.content.decode()
    assert "登录" not in response.content.decode()


def test_api_labels_follow_the_same_rule(api, rep, customer_factory):
    customer = customer_factory(status="意向客户")
    api.login(rep)
    body = api.client.get(
        f"/api/v1/customers/{customer.customer_no}", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert body["status"] == "intent"
    assert body["status_label"] == "意向客户"
