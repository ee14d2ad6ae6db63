"""The API sends Chinese as UTF-8 bytes, not \\uXXXX escapes, on every response."""

from __future__ import annotations

import json

UTF8_JSON = "application/json; charset=utf-8"
NAME = "深圳市华信软件有限公司"


def escaped_size(body: bytes) -> int:
    """What the same body weighs with every non-ASCII character escaped (the old renderer)."""
    return len(json.dumps(json.loads(body)).encode())


def test_a_chinese_customer_name_comes_back_as_utf8_bytes(api, rep, customer_factory):
    customer_factory(name=NAME)
    api.login(rep)

    response = api.get("/api/v1/customers")

    assert response.status_code == 200
    assert response["Content-Type"] == UTF8_JSON
    assert NAME.encode() in response.content
    assert b"\\u" not in response.content
    assert response.json()["items"][0]["name"] == NAME


def test_a_page_of_chinese_customers_is_much_smaller(api, rep, customer_factory):
    for i in range(20):
        customer_factory(name=f"{NAME[:-4]}{i}号分公司", address="广东省深圳市南山区科技园")
    api.login(rep)

    response = api.get("/api/v1/customers", limit=20)

    assert len(response.json()["items"]) == 20
    chinese = [ch for ch in response.content.decode() if "\u4e00" <= ch <= "\u9fff"]
    assert len(chinese) >= 20 * len("深圳市华信软件0号分公司广东省深圳市南山区科技园")
    # Each character: 3 bytes of UTF-8 instead of a 6-byte \uXXXX escape.
    assert escaped_size(response.content) - len(response.content) >= 3 * len(chinese)


def test_errors_are_utf8_json_too(api, rep):
    unauthenticated = api.get("/api/v1/customers")
    assert unauthenticated.status_code == 401
    assert unauthenticated["Content-Type"] == UTF8_JSON

    api.login(rep)
    invalid = api.post(
        "/api/v1/customers",
        {"name": NAME, "decision_maker": {"name": "王建国", "mobile": "12345"}},
    )
    assert invalid.status_code == 422
    assert invalid["Content-Type"] == UTF8_JSON
    assert b"\\u" not in invalid.content
    assert any(ord(ch) > 127 for ch in invalid.content.decode()), invalid.content

    for response, status in [
        (api.get("/api/v1/customers/CX209901999"), 404),  # the exception handler
        (api.get("/api/v1/no-such-path"), 404),  # the catch-all
        (api.get("/api/v1/customers", limit="many"), 422),
    ]:
        assert response.status_code == status
        assert response["Content-Type"] == UTF8_JSON
        assert response.json()["code"]


def test_the_openapi_document_is_utf8_json(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == UTF8_JSON
    assert "Kehu (客户) CRM".encode() in response.content
    assert b"\\u" not in response.content
