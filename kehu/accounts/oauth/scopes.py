"""The OAuth scopes, and which one each /api/v1 operation needs: one table for the whole API.

A scope is `<resource>:read` (GET, HEAD, OPTIONS) or `<resource>:write` (every other method).
The resource of an operation comes from its path (ROUTES, first match wins), so a new operation
under /customers/… is covered without touching its view; a path no route names (users, tokens,
imports, settings, audit, …) is closed to applications whatever their scopes.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from oauth2_provider.scopes import BaseScopes

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
API_PREFIX = "/api/v1/"

SCOPES: dict[str, Promise] = {
    "customers:read": _("Read customers"),
    "customers:write": _("Create, change and delete customers"),
    "contacts:read": _("Read contacts"),
    "contacts:write": _("Add, change and remove contacts"),
    "interactions:read": _("Read interactions and follow-ups"),
    "interactions:write": _("Log interactions and follow-ups"),
    "opportunities:read": _("Read opportunities and orders"),
    "opportunities:write": _("Create and change opportunities and orders"),
    "tags:read": _("Read tags"),
    "tags:write": _("Tag customers"),
    "reports:read": _("Read reports and the dashboard"),
}

_ID = r"[^/]+"
# (path under /api/v1/, resource). More specific paths first: /customers/X/contacts is contacts.
ROUTES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), resource)
    for pattern, resource in (
        (rf"^customers/{_ID}/contacts(/|$)", "contacts"),
        (r"^contacts(/|$)", "contacts"),
        (rf"^customers/{_ID}/(interactions|follow-ups|events)(/|$)", "interactions"),
        (r"^(interactions|follow-ups)(/|$)", "interactions"),
        (rf"^customers/{_ID}/(opportunities|orders)(/|$)", "opportunities"),
        (r"^(opportunities|orders)(/|$)", "opportunities"),
        (rf"^customers/{_ID}/(tags|tag-changes)(/|$)", "tags"),
        (r"^tags(/|$)", "tags"),
        (rf"^customers/{_ID}/(value|propensity)$", "reports"),
        (r"^(reports|dashboard)(/|$)", "reports"),
        (r"^(customers|pool)(/|$)", "customers"),
    )
)


def required_scope(method: str, path: str) -> str | None:
    """The scope an operation needs ('customers:read'), or None when applications may not call
    it (no route, or an action no scope grants such as changing report settings)."""
    if not path.startswith(API_PREFIX):
        return None
    rest = path[len(API_PREFIX) :]
    for pattern, resource in ROUTES:
        if pattern.match(rest):
            scope = f"{resource}:{'read' if method.upper() in SAFE_METHODS else 'write'}"
            return scope if scope in SCOPES else None
    return None


def parse_scopes(raw: str | list[str]) -> list[str]:
    """Known scopes of a space-separated string or a list, in SCOPES order, without repeats."""
    wanted = set(raw.split() if isinstance(raw, str) else raw)
    return [scope for scope in SCOPES if scope in wanted]


def unknown_scopes(raw: str | list[str]) -> list[str]:
    values = raw.split() if isinstance(raw, str) else raw
    return [scope for scope in values if scope not in SCOPES]


def scope_labels(scopes: str | list[str]) -> list[tuple[str, str]]:
    """(scope, what it allows, translated) for a consent screen or a list."""
    return [(scope, str(SCOPES[scope])) for scope in parse_scopes(scopes)]


class ApplicationScopes(BaseScopes):  # type: ignore[misc]  # the toolkit ships no types
    """django-oauth-toolkit's scopes backend: an application may ask only for the scopes its
    administrator allowed; a revoked application for none."""

    def get_all_scopes(self) -> dict[str, str]:
        return {scope: str(label) for scope, label in SCOPES.items()}

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        policy = getattr(application, "kehu_policy", None) if application is not None else None
        if policy is None or policy.is_revoked:
            return []
        return parse_scopes(policy.allowed_scopes)

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        """Without a `scope` parameter: the read scopes among the allowed ones."""
        return [
            scope
            for scope in self.get_available_scopes(application, request)
            if scope.endswith(":read")
        ]
