"""The write path of connected applications: register, revoke, record a consent, revoke a user's
grant. Every one is atomic and audited; tokens and grants are django-oauth-toolkit's rows."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken
from oauth2_provider.settings import oauth2_settings

from kehu.accounts.policy import can_manage_oauth_applications
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import PermissionDenied, ValidationFailed, one_of

from .models import ApplicationPolicy
from .scopes import parse_scopes, unknown_scopes

if TYPE_CHECKING:
    from kehu.accounts.models import User

GRANT_TYPES = {
    "authorization-code": Application.GRANT_AUTHORIZATION_CODE,
    "client-credentials": Application.GRANT_CLIENT_CREDENTIALS,
}
CLIENT_TYPES = {
    "confidential": Application.CLIENT_CONFIDENTIAL,
    "public": Application.CLIENT_PUBLIC,
}


def _redirect_uri_problem(uri: str) -> str | None:
    parts = urlsplit(uri)
    schemes = oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES
    if parts.scheme not in schemes or not parts.netloc:
        return _("%(uri)s is not an address starting with %(schemes)s.") % {
            "uri": uri,
            "schemes": " / ".join(f"{scheme}://" for scheme in schemes),
        }
    if parts.fragment:
        return _("%(uri)s must not contain a fragment (#…).") % {"uri": uri}
    return None


def _require_manager(actor: User) -> None:
    if not can_manage_oauth_applications(actor):
        raise PermissionDenied(_("Only administrators register and revoke applications."))


@transaction.atomic
def oauth_application_register(
    *,
    actor: User,
    name: str,
    redirect_uris: list[str],
    scopes: list[str],
    grant_type: str = "authorization-code",
    client_type: str = "confidential",
    acts_as: User | None = None,
) -> tuple[Application, str]:
    """Register an application; returns it and its client secret (shown once: only a hash is
    stored). Public clients (apps in a browser or on a phone) get no secret and must use PKCE."""
    _require_manager(actor)
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("Enter the application's name.")]
    elif len(name) > 255:
        errors["name"] = [_("At most 255 characters.")]
    if grant_type not in GRANT_TYPES:
        errors["grant_type"] = [one_of(GRANT_TYPES)]
    if client_type not in CLIENT_TYPES:
        errors["client_type"] = [one_of(CLIENT_TYPES)]
    uris = [uri.strip() for uri in redirect_uris if uri.strip()]
    uri_problems = [p for p in (_redirect_uri_problem(uri) for uri in uris) if p]
    if uri_problems:
        errors["redirect_uris"] = uri_problems
    elif grant_type == "authorization-code" and not uris:
        errors["redirect_uris"] = [_("Enter at least one redirect URI.")]
    unknown = unknown_scopes(scopes)
    if unknown:
        errors["scopes"] = [_("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)}]
    elif not parse_scopes(scopes):
        errors["scopes"] = [_("Choose at least one scope.")]
    if grant_type == "client-credentials":
        if client_type != "confidential":
            errors["client_type"] = [
                _("A server-to-server application (client credentials) must be confidential.")
            ]
        if acts_as is None:
            errors["acts_as"] = [
                _("Name the user a server-to-server application acts as: it sees what they see.")
            ]
        elif not acts_as.is_active:
            errors["acts_as"] = [_("This user is deactivated.")]
    elif acts_as is not None:
        errors["acts_as"] = [_("Only a server-to-server application acts as a fixed user.")]
    if errors:
        raise ValidationFailed(errors)

    secret = generate_client_secret() if client_type == "confidential" else ""
    application = Application(
        name=name,
        user=actor,
        redirect_uris=" ".join(uris),
        client_type=CLIENT_TYPES[client_type],
        authorization_grant_type=GRANT_TYPES[grant_type],
        client_secret=secret,
        skip_authorization=False,
    )
    application.save()
    allowed = parse_scopes(scopes)
    ApplicationPolicy.objects.create(
        application=application, allowed_scopes=" ".join(allowed), acts_as=acts_as
    )
    audit_record(
        actor=actor,
        action=AuditAction.OAUTH_APP_REGISTERED,
        target=application,
        changes={"name": [None, name], "redirect_uris": [None, " ".join(uris)]},
        note=f"scopes={' '.join(allowed)}",
    )
    return application, secret


def _delete_credentials(application: Application, user: User | None = None) -> str:
    """Delete the application's access tokens, refresh tokens and grants (of one user, or all);
    returns what died, for the audit note ('access_tokens=2 refresh_tokens=1')."""
    owned: dict[str, object] = {"application": application}
    if user is not None:
        owned["user"] = user
    refresh = RefreshToken.objects.filter(**owned)
    access = AccessToken.objects.filter(**owned)
    note = (
        f"access_tokens={access.count()} "
        f"refresh_tokens={refresh.filter(revoked__isnull=True).count()}"
    )
    refresh.delete()
    access.delete()
    Grant.objects.filter(**owned).delete()
    return note


@transaction.atomic
def oauth_application_revoke(*, actor: User, application: Application) -> ApplicationPolicy:
    """Revoke an application: every token and grant it holds dies at once, and it can get no
    new ones (the validator treats it as unknown)."""
    _require_manager(actor)
    policy = ApplicationPolicy.objects.select_for_update().get(application=application)
    if policy.revoked_at is not None:
        return policy
    note = _delete_credentials(application)
    policy.revoked_at = timezone.now()
    policy.revoked_by = actor
    policy.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action=AuditAction.OAUTH_APP_REVOKED,
        target=application,
        note=note,
    )
    return policy


@transaction.atomic
def oauth_grant_revoke(*, actor: User, user: User, application: Application) -> None:
    """A user withdraws an application's access to their account: their tokens and grants for
    it are deleted."""
    if actor.pk != user.pk:
        _require_manager(actor)
    note = _delete_credentials(application, user)
    audit_record(
        actor=actor,
        action=AuditAction.OAUTH_GRANT_REVOKED,
        target=application,
        note=f"user={user.get_username()} {note}",
    )


def oauth_consent_record(
    *, actor: User, application: Application, scopes: list[str], allowed: bool
) -> None:
    """Audit the user's answer on the consent page (the grant itself is the toolkit's row)."""
    audit_record(
        actor=actor,
        action=AuditAction.OAUTH_GRANTED if allowed else AuditAction.OAUTH_DENIED,
        target=application,
        note=f"scopes={' '.join(parse_scopes(scopes))}",
    )


def oauth_token_revoked_record(*, application: Application, user: User | None, kind: str) -> None:
    """Audit a token the application revoked itself (/oauth/revoke_token/)."""
    audit_record(
        actor=user,
        action=AuditAction.OAUTH_TOKEN_REVOKED,
        target=application,
        changes={"token_type": [kind, None]},
    )
