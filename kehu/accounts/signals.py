"""Logins and failed logins in the audit trail (source "web", with the address)."""

from __future__ import annotations

from typing import Any

from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    audit_record(
        actor=None,
        action=AuditAction.USER_LOGIN_FAILED,
        changes={"username": str(credentials.get("username", ""))[:150]},
        source="web",
    )
