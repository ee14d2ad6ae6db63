"""django-oauth-toolkit's request validator, with Kehu's rule: a revoked application, or one
registered without Kehu's policy row, is unknown to every OAuth endpoint."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from .models import ApplicationPolicy


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
