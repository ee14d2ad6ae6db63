"""Change guards: callables listed in settings.KEHU_CHANGE_GUARDS, run by an edge before a save.

A guard may hold the change for human review by raising ChangeHeld; the edge answers 202 and
nothing is saved. Lower apps (customers) call `change_guard` without importing the higher app
(intake) that implements the rules: the setting names it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from .errors import DomainError


class ChangeHeld(DomainError):
    """This change waits for review by a manager; nothing was saved yet."""

    status_code = 202
    code = "pending_review"

    def __init__(self, message: str = "", *, pending_id: int | None = None) -> None:
        super().__init__(message)
        self.pending_id = pending_id


@cache
def _guards(paths: tuple[str, ...]) -> list[Any]:
    return [import_string(path) for path in paths]


def change_guard(*, action: str, actor: Any, customer: Any = None, data: Any = None) -> None:
    """Run every guard; raises ChangeHeld when one holds the change."""
    for guard in _guards(tuple(getattr(settings, "KEHU_CHANGE_GUARDS", ()))):
        guard(action=action, actor=actor, customer=customer, data=data)


class ProbableDuplicate(DomainError):
    """The record looks like one that exists already; confirm to save it anyway (unless blocked)."""

    status_code = 409
    code = "probable_duplicate"

    def __init__(self, message: str, *, matches: list[dict[str, Any]], blocked: bool) -> None:
        super().__init__(message)
        self.matches = matches
        self.blocked = blocked

    def payload(self) -> dict[str, Any]:
        return {"matches": self.matches, "blocked": self.blocked}
