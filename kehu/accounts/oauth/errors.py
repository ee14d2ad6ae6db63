"""What the API answers a connected application's token that may not do something (403)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kehu.core.errors import DomainError


class ScopeMissing(DomainError):
    """The application's token was not granted the scope this operation needs."""

    status_code = 403
    code = "insufficient_scope"

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__(
            _("This application was not granted the scope %(scope)s, which this operation needs.")
            % {"scope": scope}
        )

    def payload(self) -> dict[str, Any]:
        return {"scope": self.scope}


class NotForApplications(DomainError):
    """No scope opens this operation to connected applications (users, tokens, settings, …)."""

    status_code = 403
    code = "not_for_applications"
    default_message = _("Connected applications cannot use this operation; no scope grants it.")
