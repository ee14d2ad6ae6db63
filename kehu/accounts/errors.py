"""Sign-in errors: each is JSON `{"detail", "code"}` on the API (kehu/api.py maps DomainError)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kehu.core.errors import DomainError


class InvalidToken(DomainError):
    """The API token is unknown, expired or revoked."""

    status_code = 401
    code = "invalid_token"
    default_message = _("The API token is unknown, expired or revoked.")


class OtpRequired(DomainError):
    """Two-factor verification required."""

    status_code = 403
    code = "otp_required"
    default_message = _("Two-factor verification required.")


class SessionRequired(DomainError):
    """Only a signed-in session may do this (verified where the role needs it), not a token."""

    status_code = 403
    code = "session_required"
    default_message = _("Only a signed-in session may do this, not an API token.")


class ReadOnlyToken(DomainError):
    """This API token may only read."""

    status_code = 403
    code = "read_only_token"
    default_message = _("This API token may only read.")
