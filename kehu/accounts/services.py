"""Account writes: API tokens (hashed at rest, shown once)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from kehu.audit.services import audit_record

from .models import ApiToken, User


@transaction.atomic
def api_token_create(
    *,
    actor: Any,
    user: User,
    name: str = "",
    scope: str = ApiToken.Scope.READ_WRITE,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Returns the token row and the raw token; only the hash is stored."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=raw[: 5 + ApiToken.PREFIX_LENGTH],
        token_hash=ApiToken.hash_token(raw),
        scope=scope,
        expires_at=expires_at,
    )
    audit_record(actor=actor, action="api_token.created", target=token, note=f"scope={scope}")
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoked", target=token)
    return token


def api_token_authenticate(raw: str) -> tuple[User, ApiToken] | None:
    token = (
        ApiToken.objects.select_related("user", "user__team")
        .filter(token_hash=ApiToken.hash_token(raw.strip()))
        .first()
    )
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token
