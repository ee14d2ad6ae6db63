"""django-oauth-toolkit's request validator, with Kehu's rule: a revoked application, or one
registered without Kehu's policy row, is unknown to every OAuth endpoint."""

from __future__ import annotations

from typing import Any

from oauth2_provider.models import AccessToken, RefreshToken
from oauth2_provider.oauth2_validators import OAuth2Validator

from .models import ApplicationPolicy
from .selectors import oauth_token_checksum
from .services import oauth_token_revoked_record


class KehuOAuth2Validator(OAuth2Validator):  # type: ignore[misc]  # the toolkit ships no types
    def _load_application(self, client_id: str, request: Any) -> Any:
        application = super()._load_application(client_id, request)
        if application is None:
            return None
        policy = ApplicationPolicy.objects.filter(application=application).first()
        if policy is None or policy.is_revoked:
            request.client = None
            return None
        return application

    def revoke_token(
        self, token: str, token_type_hint: str | None, request: Any, *args: Any, **kwargs: Any
    ) -> None:
        """RFC 7009: the application revokes one of its own tokens; audited when one died."""
        application = request.client
        checksum = oauth_token_checksum(token)
        found: Any = None
        if getattr(application, "pk", None) is not None:
            for model in (AccessToken, RefreshToken):
                found = (
                    model.objects.filter(token_checksum=checksum, application=application)
                    .select_related("user")
                    .first()
                )
                if found is not None:
                    break
        super().revoke_token(token, token_type_hint, request, *args, **kwargs)
        if found is not None:
            oauth_token_revoked_record(
                application=application,
                user=found.user,
                kind="refresh_token" if isinstance(found, RefreshToken) else "access_token",
            )
