"""Every role × every page and API operation × (own / team / other / won / prospect).

The routes come from the URL resolver and the OpenAPI schema; the expectations from
permission_matrix.py. One dataset per route test; each object is tried inside a savepoint.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from django.db import transaction
from django.urls import get_resolver, reverse

from kehu.accounts.models import Role, Team
from kehu.api import api
from kehu.audit.models import AuditEntry
from kehu.conftest import make_user
from kehu.core.tests.routes import walk
from kehu.customers.models import Contact, Customer, CustomerShare
from kehu.customers.services import customer_create
from kehu.interactions.models import FollowUp, Interaction
from kehu.interactions.services import interaction_log
from kehu.interactions.services.followups import followup_create
from kehu.interactions.tests.helpers import STANDARD
from kehu.opportunities.models import Opportunity, Order
from kehu.opportunities.services import opportunity_create, order_create

from . import permission_matrix as matrix

DENY = (403, 404)


def page_routes() -> list[str]:
    """Names of kehu's own pages (the API, admin and Django's auth views aside)."""
    return sorted(
        {
            p.name or ""
            for route, p in walk(get_resolver().url_patterns)
            if getattr(p.callback, "__module__", "").startswith("kehu.")
            and not route.startswith("api/")
        }
    )


def api_routes() -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    return sorted(f"{method.upper()} {path}" for path, ops in paths.items() for method in ops)


def test_every_page_and_api_operation_has_a_matrix_entry() -> None:
    pages, operations = page_routes(), api_routes()
    assert [p for p in pages if p not in matrix.PAGES] == [], "pages missing from the matrix"
    assert [o for o in operations if o not in matrix.API] == [], "API operations missing"
    assert [p for p in matrix.PAGES if p not in pages] == [], "stale page entries"
    assert [o for o in matrix.API if o not in operations] == [], "stale API entries"


# --- The dataset -------------------------------------------------------------------------------

SPEC = {  # object: (owner, status)
    "own": ("rep", "lost"),
    "team": ("rep2", "lost"),
    "other": ("outsider", "lost"),
    "won": ("outsider", "won"),
    "prospect": ("outsider", "intent"),
}


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Built once for the module inside a transaction rolled back at the end; each test runs
    in its own savepoint (pytest-django's `db`)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _build_world() -> dict[str, Any]:
    east = Team.objects.create(name="华东销售部", region="华东")
    south = Team.objects.create(name="华南销售部", region="华南")
    users = {
        "rep": make_user("rep", Role.REP, east),
        "rep2": make_user("rep2", Role.REP, east),
        "manager": make_user("manager", Role.MANAGER, east),
        "outsider": make_user("outsider", Role.REP, south),
        "support": make_user("support", Role.SUPPORT),
        "marketing": make_user("marketing", Role.MARKETING),
        "executive": make_user("executive", Role.EXECUTIVE),
        "steward": make_user("steward", Role.STEWARD),
        "unit_steward": make_user("unit_steward", Role.STEWARD, steward_unit=east),
        "admin": make_user("admin", Role.ADMIN),
        "finance": make_user("finance", Role.FINANCE),
    }
    objects: dict[str, dict[str, Any]] = {}
    for n, (key, (owner, status)) in enumerate(SPEC.items()):
        customer = customer_create(
            actor=users["admin"],
            data={
                "name": f"矩阵{key}贸易有限公司",
                "owner": owner,
                "status": status,
                "status_reason": "矩阵",
                "phone": f"1391234{n:04d}",
                "budget_amount": "300000",
                "decision_maker": {"name": f"矩阵联系人{key}", "mobile": f"1380000{n:04d}"},
            },
        )
        interaction = interaction_log(
            actor=users["admin"],
            customer=customer,
            data={**STANDARD, "method": "phone", "topic": "矩阵拜访"},
        )
        objects[key] = {
            "customer": customer,
            "customer_pk": customer,
            "contact": customer.contacts.get(),
            "interaction": interaction,
            "opportunity": opportunity_create(
                actor=users["admin"], customer=customer, data={"title": f"矩阵商机{key}"}
            ),
            "order": order_create(
                actor=users["admin"], customer=customer, data={"amount": "120000"}
            ),
            "follow_up": followup_create(
                actor=users["admin"], customer=customer, kind="next_action", title="矩阵跟进"
            ),
        }
    return {"users": users, "objects": objects}


def markers(world: dict[str, Any], key: str) -> list[str]:
    """Strings that only an object's own rows carry: its name, number, contact's name."""
    customer = world["objects"][key]["customer"]
    return [customer.name, customer.customer_no, f"矩阵联系人{key}"]


def snapshot() -> str:
    """A digest of every row a request could change."""
    rows = [
        list(Customer.objects.order_by("pk").values_list()),
        list(Contact.objects.order_by("pk").values_list()),
        list(Interaction.objects.order_by("pk").values_list()),
        list(Opportunity.objects.order_by("pk").values_list()),
        list(Order.objects.order_by("pk").values_list()),
        list(FollowUp.objects.order_by("pk").values_list()),
        list(CustomerShare.objects.order_by("pk").values_list()),
        AuditEntry.objects.count(),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


# --- Requests ----------------------------------------------------------------------------------

PARAMS = {
    "customer_no": lambda o, w: o["customer"].customer_no,
    "customer_id": lambda o, w: o["customer"].pk,
    "contact_id": lambda o, w: o["contact"].pk,
    "interaction_no": lambda o, w: o["interaction"].interaction_no,
    "opportunity_id": lambda o, w: o["opportunity"].pk,
    "order_no": lambda o, w: o["order"].order_no,
    "follow_up_id": lambda o, w: o["follow_up"].pk,
    "user_id": lambda o, w: w["users"]["rep2"].pk,
}


def _api_url(path: str, values: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


def _page_kwargs(name: str, values: dict[str, Any]) -> dict[str, Any]:
    for route, pattern in walk(get_resolver().url_patterns):
        if pattern.name == name:
            return {k: values[k] for k in re.findall(r"<(?:\w+:)?(\w+)>", route)}
    raise AssertionError(name)


def request(client: Any, route: str, values: dict[str, Any], payload: dict[str, Any]) -> Any:
    """Send the route with these path values; API bodies as JSON, page forms as POST data."""
    if " " in route:  # an API operation
        method, path = route.split(" ", 1)
        url = _api_url(path, values)
        if method == "GET":
            return client.get(url, payload)
        return client.generic(method, url, json.dumps(payload), content_type="application/json")
    kwargs = _page_kwargs(route, values)
    url = reverse(route, kwargs=kwargs)
    if route in POST_PAGES:
        return client.post(
            url + ("?field=" + payload["field"] if "field" in payload else ""), payload
        )
    return client.get(url, payload)


POST_PAGES = {
    "customer-bulk",
    "saved-view-save",
    "saved-view-delete",
    "followup-done",
    "followup-snooze",
    "followup-new",
    "calendar-feed-new",
    "calendar-feed-revoke",
    "interaction-create",
    "contact-add",
    "opportunity-add",
    "contact-mark-left",
    "contact-rejoin",
    "user-password",
    "profile-time-zone",
    "customer-reveal",
    "contact-reveal",
    "token-revoke",
    "job-quality-refresh",
    "import-dry-run",
    "import-commit",
    "import-revert",
    "dedupe-merge-undo",
    "custom-field-archive",
    "opportunity-stage",
    "opportunity-lines",
    "lost-reason-save",
    "stage-probability-save",
    "product-save",
    "rule-toggle",
    "rule-delete",
    "webhook-test",
    "webhook-delete",
    "customer-tags",
}
EDIT_PAGES = {
    "customer-edit",
    "contact-edit",
    "followup-edit",
}  # a GET that needs the right to change


def _values(world: dict[str, Any], key: str) -> dict[str, Any]:
    objects = world["objects"][key]
    return {name: get(objects, world) for name, get in PARAMS.items()}


def _cases() -> list[tuple[str, Any]]:
    return [*matrix.PAGES.items(), *matrix.API.items()]


@pytest.mark.parametrize(("route", "entry"), _cases(), ids=[r for r, _e in _cases()])
def test_matrix(client: Any, world: dict[str, Any], db: Any, route: str, entry: Any) -> None:
    if isinstance(entry, matrix.Exempt):
        pytest.skip(entry.reason)
    failures: list[str] = []
    for role in matrix.ROLES:
        client.force_login(world["users"][role])
        visible = matrix.VISIBLE[role]
        if isinstance(entry, (matrix.Listing, matrix.Global)):
            sid = transaction.savepoint()
            before = snapshot()
            values = {**_values(world, "own"), **getattr(entry, "args", {})}
            query = dict(getattr(entry, "query", {}))
            if route == "customer-export":
                values["file_format"] = query.pop("file_format")
            response = request(client, route, values, query)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            if response.status_code >= 500:
                failures.append(f"{role}: {response.status_code}")
            for key in matrix.OBJECTS:
                if key not in visible and any(m in text for m in markers(world, key)):
                    failures.append(f"{role}: leaks {key}")
            if isinstance(entry, matrix.Global) and response.status_code in DENY:
                if snapshot() != before:
                    failures.append(f"{role}: denied but changed the database")
            transaction.savepoint_rollback(sid)
            continue
        for key in matrix.OBJECTS:
            sid = transaction.savepoint()
            reading = isinstance(entry, matrix.Read)
            before = "" if reading else snapshot()
            values = _values(world, key)
            payload = getattr(entry, "payload", {})
            response = request(client, route, values, dict(payload))
            status = response.status_code
            where = f"{role} × {key}: {status}"
            if isinstance(entry, matrix.Read) and route not in EDIT_PAGES:
                if key in visible and status >= 400:
                    failures.append(f"{where}, expected access")
                if key not in visible and status != 404:
                    failures.append(f"{where}, expected 404")
            else:
                allowed = entry.allowed[role]
                if key not in visible and status != 404:
                    failures.append(f"{where}, expected 404")
                elif key in allowed and status in (*DENY, 500):
                    failures.append(f"{where}, expected access")
                elif key not in allowed and status not in DENY:
                    failures.append(f"{where}, expected a deny")
                if status in DENY and snapshot() != before:
                    failures.append(f"{where}, denied but changed the database")
            transaction.savepoint_rollback(sid)
    assert failures == []
