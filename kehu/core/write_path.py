"""The write-path rule, checked while the test suite runs: every model of a Kehu app is written
(saved, created, updated, deleted, bulk-inserted) only by that app's services module
(kehu/<app>/services.py or the kehu/<app>/services/ package).

`install()` wraps Django's write entry points (Model.save/delete, QuerySet.update/delete/
bulk_create/bulk_update) and kehu.core.bulk.insert_rows; each write looks up the innermost
Kehu frame of the call stack — the code that asked for the write — and raises WritePathViolation
when it is not the owning app's services. kehu/conftest.py installs it for the whole suite, so
any test that exercises a side door fails. Allowed beyond services: migrations, tests and their
fixtures, kehu.core's own infrastructure modules for kehu.core's models (numbering, jobs,
the search index), and the training sandbox's wipe (kehu/sandbox/reset.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import models

# Module prefixes that may write any model: migrations (data migrations), tests, fixtures, and
# the sandbox's reset, which wipes the training database as a whole before reloading it.
ALLOWED_ANYWHERE = ("tests.", "kehu.conftest", "bench.", "kehu.sandbox.reset")
ALLOWED_PARTS = (".migrations.", ".tests.")
# Frames that are plumbing, not the writer: look further out.
PLUMBING = (
    "kehu.core.write_path",
    "kehu.core.bulk",
    "kehu.core.crypto",
    "django.db.",
    "contextlib",
)
CASCADE = "django.db.models.deletion"
# Framework code that writes its own bookkeeping on a Kehu model (a login stamps last_login,
# django-otp counts failures, axes, the admin): not a side door of ours.
FRAMEWORK = ("django.", "django_otp", "axes", "django_tasks", "ninja")


# A set to collect violations into instead of raising (KEHU_WRITE_PATH_SURVEY=1 in conftest).
COLLECT: set[str] | None = None


class WritePathViolation(AssertionError):
    """A model was written from outside its app's services."""


def owner_app(model: type[models.Model]) -> str | None:
    """The kehu app that owns this model ('customers' for customers.Customer), or None for
    Django's and third-party models."""
    module = model.__module__
    if not module.startswith("kehu."):
        return None
    parts = module.split(".")
    return ".".join(parts[1:-1])  # kehu.intake.capture.models -> intake.capture


# Packages that are services of their app under another name: kehu.tags.rules (the keyword and
# decay rules' writes, issue 17).
SERVICE_PACKAGES = {"tags": ("kehu.tags.rules",)}


def allowed(writer: str, app: str) -> bool:
    if writer.startswith(ALLOWED_ANYWHERE) or any(part in writer + "." for part in ALLOWED_PARTS):
        return True
    for services in (f"kehu.{app}.services", *SERVICE_PACKAGES.get(app, ())):
        if writer == services or writer.startswith(services + "."):
            return True
    return app == "core" and writer.startswith("kehu.core.")


def _writer() -> str:
    """The module that asked for the write: the innermost frame that is not database plumbing
    ("" when it is framework code, a cascade of a delete, or nothing of ours is on the stack)."""
    frame = sys._getframe(2)
    while frame is not None:
        name = str(frame.f_globals.get("__name__", ""))
        if name == CASCADE:
            return ""  # on_delete SET_NULL/CASCADE of a row its owner deletes
        if not name.startswith(PLUMBING):
            return "" if name.startswith(FRAMEWORK) else name
        frame = frame.f_back  # type: ignore[assignment]
    return ""


def check(model: type[models.Model], operation: str) -> None:
    app = owner_app(model)
    if app is None:
        return
    writer = _writer()
    if writer.startswith("kehu.") and not allowed(writer, app):
        message = (
            f"{writer} writes {model._meta.label} ({operation}); only kehu.{app}.services may "
            "(kehu/core/write_path.py)"
        )
        if COLLECT is not None:  # a survey run: list every side door instead of failing
            COLLECT.add(message)
            return
        raise WritePathViolation(message)


def _guard(function: Callable[..., Any], operation: str, model_of: Callable[..., Any]) -> Any:
    @wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        check(model_of(*args, **kwargs), operation)
        return function(*args, **kwargs)

    guarded.__kehu_write_path__ = function  # type: ignore[attr-defined]
    return guarded


_TARGETS: list[tuple[Any, str, Callable[..., Any]]] = [
    (models.Model, "save", lambda self, *a, **k: type(self)),
    (models.Model, "delete", lambda self, *a, **k: type(self)),
    (models.QuerySet, "update", lambda self, *a, **k: self.model),
    (models.QuerySet, "delete", lambda self, *a, **k: self.model),
    (models.QuerySet, "bulk_create", lambda self, *a, **k: self.model),
    (models.QuerySet, "bulk_update", lambda self, *a, **k: self.model),
]


def install() -> None:
    """Wrap the write entry points (idempotent)."""
    from kehu.core import bulk

    for owner, name, model_of in _TARGETS:
        current = getattr(owner, name)
        if not hasattr(current, "__kehu_write_path__"):
            setattr(owner, name, _guard(current, f"{owner.__name__}.{name}", model_of))
    bulk.WRITE_CHECK = check


def uninstall() -> None:
    from kehu.core import bulk

    for owner, name, _model_of in _TARGETS:
        current = getattr(owner, name)
        original = getattr(current, "__kehu_write_path__", None)
        if original is not None:
            setattr(owner, name, original)
    bulk.WRITE_CHECK = None
