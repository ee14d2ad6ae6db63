"""Domain errors: one hierarchy, mapped once for the API (kehu/api.py) and once for pages
(kehu/core/middleware.DomainErrorMiddleware and kehu/core/forms.apply_domain_error).

    DomainError                 400  a request the domain refuses; never a 500
    ├── ValidationFailed        422  fields are not acceptable; `errors` names each field
    ├── PermissionDenied        403  visible, but this user may not do it (also Django's)
    ├── NotFound                404  missing, or outside what the user may see
    ├── Conflict                409  clashes with what exists
    │   ├── InvalidTransition   409  not allowed from the record's current state
    │   ├── AlreadyDecided      409  a review item was approved or rejected already
    │   ├── ProbableDuplicate   409  looks like an existing customer (matches + reasons)
    │   └── VersionConflict     409  someone changed the record since the editor read it
    └── ChangeHeld              202  waits for a reviewer; nothing was saved yet

Every service raises these; edges never build their own error types.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base class: a request that the domain refuses; never a 500.

    Without a message, an error says its class's `default_message` in the request's language
    (the docstring documents it for developers, in English)."""

    status_code = 400
    code = "invalid"
    default_message: str | Promise = _("The request was refused.")

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = str(message or self.default_message)

    def payload(self) -> dict[str, Any]:
        """Extra JSON the API adds beside `detail` and `code`."""
        return {}


class ValidationFailed(DomainError):
    """One or more fields are not acceptable; `errors` maps field name -> messages."""

    status_code = 422
    code = "validation_failed"

    def __init__(self, errors: Mapping[str, Sequence[str] | str], message: str = "") -> None:
        self.errors: dict[str, list[str]] = {
            field: [str(m) for m in ([msgs] if isinstance(msgs, str) else msgs)]
            for field, msgs in errors.items()
        }
        fields = ", ".join(self.errors)
        super().__init__(message or str(_("Check these fields: %(fields)s")) % {"fields": fields})

    def prefixed(self, prefix: str) -> ValidationFailed:
        """Same errors with each field name under a prefix, e.g. 'decision_maker.mobile'."""
        return ValidationFailed({f"{prefix}.{k}": v for k, v in self.errors.items()}, self.message)

    def payload(self) -> dict[str, Any]:
        return {"errors": self.errors}

    def lines(self, labels: Mapping[str, Any]) -> list[str]:
        """One readable line per field, "label: messages", for a page's flash messages (a
        field `labels` does not name shows as its key)."""
        return [
            str(_("%(field)s: %(errors)s"))
            % {"field": labels.get(key, key), "errors": " ".join(errors)}
            for key, errors in self.errors.items()
        ]


class PermissionDenied(DomainError, DjangoPermissionDenied):
    """You are not allowed to do this.

    Also Django's PermissionDenied, so a page that raises it gets the 403 page.
    """

    status_code = 403
    code = "permission_denied"
    default_message = _("You are not allowed to do this.")


class NotFound(DomainError, Http404):
    """No such record (or not one this user may see).

    Also Django's Http404, so a page that raises it gets the 404 page.
    """

    status_code = 404
    code = "not_found"
    default_message = _("Not found, or not visible to you.")


class Conflict(DomainError):
    """The record conflicts with one that already exists."""

    status_code = 409
    code = "conflict"
    default_message = _("This conflicts with a record that exists.")


class InvalidTransition(Conflict):
    """This change is not allowed from the record's current state."""

    code = "invalid_transition"
    default_message = _("This change is not allowed from the record's current state.")


class AlreadyDecided(Conflict):
    """This item has been approved or rejected already."""

    code = "already_decided"
    default_message = _("This item has been approved or rejected already.")


class ProbableDuplicate(Conflict):
    """The record looks like one that exists already; confirm to save it anyway (unless blocked).

    `matches` lists only what the user may see; `hidden` counts the others (never named).
    """

    code = "probable_duplicate"

    def __init__(
        self, message: str, *, matches: list[dict[str, Any]], blocked: bool, hidden: int = 0
    ) -> None:
        super().__init__(message)
        self.matches = matches
        self.blocked = blocked
        self.hidden = hidden

    def payload(self) -> dict[str, Any]:
        return {"matches": self.matches, "blocked": self.blocked, "hidden": self.hidden}


class VersionConflict(Conflict):
    """Someone changed the record since you opened it; nothing of yours was saved.

    The service knows the row and the versions; `details` (filled by the service that caught
    it, kehu.audit.conflicts) adds what each side has and what the other person changed."""

    code = "version_conflict"
    default_message = _(
        "Someone else changed this record since you opened it; nothing of yours was saved."
    )

    def __init__(self, *, model: str, pk: Any, expected: int, current: int) -> None:
        super().__init__()
        self.model = model
        self.pk = pk
        self.expected = expected
        self.current = current
        self.yours: dict[str, Any] = {}
        self.current_values: dict[str, Any] = {}
        self.changed_fields: list[str] = []
        self.changed_by = ""
        self.changed_at = ""

    def payload(self) -> dict[str, Any]:
        return {
            "yours": {"version": self.expected, **self.yours},
            "current": {"version": self.current, **self.current_values},
            "changed_fields": self.changed_fields,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at,
        }


class ChangeHeld(DomainError):
    """This change waits for review; nothing was saved yet."""

    status_code = 202
    code = "pending_review"
    default_message = _("This change waits for review; nothing was saved yet.")

    def __init__(self, message: str = "", *, pending_id: int | None = None) -> None:
        super().__init__(message)
        self.pending_id = pending_id

    def payload(self) -> dict[str, Any]:
        return {"pending_id": self.pending_id}


def merge_errors(*parts: Mapping[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for part in parts:
        for field, msgs in part.items():
            merged.setdefault(field, []).extend(msgs)
    return merged


def quoted(values: Iterable[Any]) -> str:
    """Codes a client sends, quoted as codes: 'csv', 'xlsx'."""
    return ", ".join(f"'{value}'" for value in values)


def one_of(values: Iterable[Any]) -> str:
    """The message of a value that is not one of `values` (codes), in the request's language."""
    return str(_("Give one of: %(values)s.")) % {"values": quoted(values)}
