"""The OpenAPI document: the customer paths and the integration contract's field names."""

from __future__ import annotations

from django.test import Client

CONTRACT_FIELDS = {
    "customer_no",
    "kind",
    "name",
    "credit_code",
    "industry",
    "size",
    "region",
    "address",
    "source",
    "first_contact_date",
    "status",
    "owner",
    "budget_band",
    "budget_amount",
    "external_id",
    "notes",
    "completeness",
    "missing_fields",
}


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def test_openapi_lists_customer_paths_and_contract_fields(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/customers"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/customers/{customer_no}"])
    for path in (
        "/api/v1/customers/{customer_no}/contacts",
        "/api/v1/customers/{customer_no}/interactions",
        "/api/v1/customers/{customer_no}/opportunities",
        "/api/v1/customers/{customer_no}/orders",
        "/api/v1/events",
        "/api/v1/tokens",
    ):
        assert path in paths, path

    created = paths["/api/v1/customers"]["post"]["responses"]["201"]
    out = resolve(schema, created["content"]["application/json"]["schema"])
    assert CONTRACT_FIELDS <= set(out["properties"])
    completeness = resolve(schema, out["properties"]["completeness"])
    assert "missing_fields" in completeness["properties"]

    body = paths["/api/v1/customers"]["post"]["requestBody"]["content"]["application/json"]
    customer_in = resolve(schema, body["schema"])
    writable = CONTRACT_FIELDS - {"customer_no", "completeness", "missing_fields"}
    assert writable <= set(customer_in["properties"])
    assert "decision_maker" in customer_in["properties"]
    maker = customer_in["properties"]["decision_maker"]
    maker_schema = resolve(schema, next(o for o in maker.get("anyOf", [maker]) if "$ref" in o))
    assert {"name", "title", "mobile", "email", "wechat"} <= set(maker_schema["properties"])

    filters = {p["name"] for p in paths["/api/v1/customers"]["get"]["parameters"]}
    assert {"industry", "status", "budget_min", "q", "order", "cursor", "limit"} <= filters


def test_openapi_documents_both_ways_to_authenticate(db):
    schema = Client().get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    kinds = {(s["type"], s.get("scheme", s.get("in"))) for s in schemes.values()}
    assert ("http", "bearer") in kinds
    assert ("apiKey", "cookie") in kinds


def test_docs_page_is_served(db):
    """The docs page shows this API's document (the assets: core/tests/test_static_assets.py)."""
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "/api/v1/openapi.json" in response.content.decode()
