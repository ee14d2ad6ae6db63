"""Sign-in errors: each is JSON `{"detail", "code"}` on the API (kehu/api.py maps DomainError)."""

from __future__ import annotations

from kehu.core.errors import DomainError


class InvalidToken(DomainError):
    """The API token is unknown, expired or revoked."""

    status_code = 401
    code = "invalid_token"


class OtpRequired(DomainError):
    """Two-factor verification required."""

    status_code = 403
    code = "otp_required"


class SessionRequired(DomainError):
    """Only a signed-in session may do this (verified where the role needs it), not a token."""

    status_code = 403
    code = "session_required"


class ReadOnlyToken(DomainError):
    """This API token may only read."""

    status_code = 403
    code = "read_only_token"
