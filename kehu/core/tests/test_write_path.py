"""The write-path rule: a model is written only by its own app's services (issue 13, item 1).

kehu/conftest.py installs kehu.core.write_path for the whole suite, so every test that reaches a
side door fails; these tests show that the check itself can fail, and a static scan finds the
manager writes that no test happens to run.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from kehu.core import write_path
from kehu.core.write_path import WritePathViolation
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db

KEHU = Path(__file__).resolve().parents[2]
WRITES = {"create", "update", "delete", "bulk_create", "bulk_update", "get_or_create",
          "update_or_create"}  # fmt: skip


@pytest.fixture(autouse=True)
def _checked() -> Any:
    write_path.install()  # whatever the environment says, these tests run with the check on
    yield


def run_as(module: str, code: str, **names: Any) -> None:
    """Run `code` as if it were written in `module` (the check looks at the caller's module)."""
    exec(compile(code, f"<{module}>", "exec"), {"__name__": module, **names})


def test_a_view_writing_a_customer_is_refused_and_nothing_changes(customer_factory: Any) -> None:
    customer = customer_factory(name="原名有限公司")
    with pytest.raises(WritePathViolation, match="kehu.customers.views writes customers.Customer"):
        run_as(
            "kehu.customers.views",
            "Customer.objects.filter(pk=pk).update(name='改名')",
            Customer=Customer,
            pk=customer.pk,
        )
    customer.refresh_from_db()
    assert customer.name == "原名有限公司"


def test_another_apps_services_may_not_write_it_either(customer_factory: Any) -> None:
    customer = customer_factory()
    with pytest.raises(WritePathViolation, match="kehu.dedupe.services"):
        run_as("kehu.dedupe.services", "customer.save()", customer=customer)
    with pytest.raises(WritePathViolation, match="insert_rows"):
        run_as(
            "kehu.intake.services.plan",
            "from kehu.core.bulk import insert_rows\ninsert_rows(Customer, [], with_ids=False)",
            Customer=Customer,
        )


def test_the_owner_services_and_a_cascade_may(customer_factory: Any, manager: Any) -> None:
    from kehu.contacts.models import Contact
    from kehu.customers.services import customer_delete

    customer = customer_factory()
    run_as("kehu.customers.services.write", "customer.save()", customer=customer)
    customer_delete(actor=manager, customer=customer)  # its contacts go by on_delete CASCADE
    assert not Contact.objects.filter(customer_id=customer.pk).exists()


def _model_names() -> dict[str, str]:
    """{model class name: owning app module} for every Kehu model."""
    return {
        model.__name__: model.__module__.rsplit(".", 1)[0]
        for model in apps.get_models()
        if model.__module__.startswith("kehu.")
    }


def _may_write(path: Path, owner: str) -> bool:
    module = "kehu." + ".".join(path.relative_to(KEHU).with_suffix("").parts)
    return write_path.allowed(module, owner.removeprefix("kehu."))


def test_no_module_outside_an_apps_services_calls_a_manager_write() -> None:
    """Static: `Model.objects.create/update/...` only in the owning app's services."""
    owners = _model_names()
    found = []
    for path in KEHU.rglob("*.py"):
        parts = set(path.relative_to(KEHU).parts)
        if {"migrations", "tests"} & parts or path.name == "conftest.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Attribute) and node.attr in WRITES):
                continue
            manager = node.value
            if not (isinstance(manager, ast.Attribute) and manager.attr == "objects"):
                continue
            if not isinstance(manager.value, ast.Name) or manager.value.id not in owners:
                continue
            owner = owners[manager.value.id]
            if not _may_write(path, owner):
                found.append(f"{path.relative_to(KEHU)}:{node.lineno} {manager.value.id}")
    assert found == []
