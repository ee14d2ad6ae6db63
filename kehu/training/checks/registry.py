"""The check registry: a scenario step names a check and its parameters; the check runs inside
the workspace (kehu.training.databases.activated) and says pass or fail, what is wrong, and
where (a link to the record)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kehu.accounts.models import User


@dataclass(frozen=True)
class CheckContext:
    trainee: User
    since: datetime  # the workspace was created or last reset then
    answers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    message: str
    link: str = ""


CheckFunction = Callable[..., CheckResult]
CHECKS: dict[str, CheckFunction] = {}


def check(name: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under `name`: `fn(context, **params) -> CheckResult`."""

    def register(fn: CheckFunction) -> CheckFunction:
        CHECKS[name] = fn
        return fn

    return register


def check_run(name: str, context: CheckContext, params: dict[str, Any]) -> CheckResult:
    return CHECKS[name](context, **params)
