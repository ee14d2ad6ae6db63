"""Domain errors that every edge (API, page, import, CLI) turns into a message naming the field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    """Base class: a request that the domain refuses; never a 500."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message or self.__class__.__doc__ or self.code


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
        super().__init__(message or f"Invalid fields: {fields}")

    def prefixed(self, prefix: str) -> ValidationFailed:
        """Same errors with each field name under a prefix, e.g. 'decision_maker.mobile'."""
        return ValidationFailed({f"{prefix}.{k}": v for k, v in self.errors.items()}, self.message)


class InvalidTransition(DomainError):
    """This change is not allowed from the record's current state."""

    status_code = 409
    code = "invalid_transition"


class Conflict(DomainError):
    """The record conflicts with one that already exists."""

    status_code = 409
    code = "conflict"


def merge_errors(*parts: Mapping[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for part in parts:
        for field, msgs in part.items():
            merged.setdefault(field, []).extend(msgs)
    return merged
