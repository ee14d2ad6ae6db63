"""User administration: create, change (role, team, grants, two-factor), deactivate and
reactivate users, reset a password. Administrators only (the CLI acts as the system: actor
None); every change is audited, passwords never are.

One path for the page (/users/), the API (/api/v1/users) and `kehu user`: bad values come back
as ValidationFailed naming the field, and nothing is half-written.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import Conflict, PermissionDenied, ValidationFailed, one_of

from .models import Role, Team, User
from .services import _revoke_sessions, user_deactivate

USERNAME = re.compile(r"^[A-Za-z0-9_.@+-]{2,150}$")
FLAGS = ("can_reveal_pii", "can_edit_finance", "requires_two_factor")
FIELDS = ("display_name", "email", "role", "team", "steward_unit", *FLAGS, "is_active")


def can_manage_users(actor: User | None) -> bool:
    """Administrators (and the system: actor None, the CLI)."""
    return actor is None or (actor.is_active and actor.role == Role.ADMIN)


def _require(actor: User | None) -> None:
    if not can_manage_users(actor):
        raise PermissionDenied(_("Only an administrator may manage users."))


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on", "是"):
        return True
    if text in ("", "0", "false", "no", "off", "否"):
        return False
    raise ValueError(text)


def _team(value: Any) -> Team | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    team = Team.objects.filter(name=text).first()
    if team is None and text.isdigit() and int(text) < 2**63:
        team = Team.objects.filter(pk=int(text)).first()
    if team is None:
        raise LookupError(text)
    return team


def user_clean(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Parse and check every given field; all errors at once (field -> messages)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    unknown = set(data) - {*FIELDS, "username", "password"}
    for name in sorted(unknown):
        errors[name] = [_("Unknown field.")]
    if creating:
        username = str(data.get("username") or "").strip()
        if not USERNAME.match(username):
            errors["username"] = [
                _("2-150 letters, digits or . @ + - _ (no spaces or Chinese characters).")
            ]
        elif User.objects.filter(username__iexact=username).exists():
            errors["username"] = [_("A user named %(name)s exists already.") % {"name": username}]
        values["username"] = username
    if "display_name" in data:
        values["display_name"] = str(data["display_name"] or "").strip()[:100]
    if "email" in data:
        email = str(data["email"] or "").strip()
        if email and ("@" not in email or len(email) > 254):
            errors["email"] = [_("Enter a valid e-mail address.")]
        values["email"] = email
    if "role" in data or creating:
        role = str(data.get("role") or Role.REP).strip()
        labels = {str(label): value for value, label in Role.choices}
        role = labels.get(role, role)
        if role not in Role.values:
            errors["role"] = [one_of(Role.values)]
        values["role"] = role
    if "team" in data:
        try:
            values["team"] = _team(data["team"])
        except LookupError:
            errors["team"] = [_("No team named %(name)s.") % {"name": data["team"]}]
    if "steward_unit" in data:
        try:
            values["steward_unit"] = _team(data["steward_unit"])
        except LookupError:
            errors["steward_unit"] = [_("No team named %(name)s.") % {"name": data["steward_unit"]}]
    for name in (*FLAGS, "is_active"):
        if name in data:
            try:
                values[name] = _flag(data[name])
            except ValueError:
                errors[name] = [_("Give true or false.")]
    if data.get("password"):
        try:
            validate_password(str(data["password"]))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
        values["password"] = str(data["password"])
    if errors:
        raise ValidationFailed(errors)
    return values


def _unit_check(values: dict[str, Any], *, role: str, unit: Team | None) -> None:
    """Only a data steward has a business unit: giving one to another role is an error; a
    steward who changes role loses theirs."""
    if role == Role.STEWARD:
        return
    if values.get("steward_unit") is not None:
        raise ValidationFailed(
            {"steward_unit": [_("Only a data steward is limited to a business unit.")]}
        )
    if unit is not None:
        values["steward_unit"] = None


def _shown(name: str, value: Any) -> Any:
    if name in ("team", "steward_unit"):
        return value.name if value is not None else None
    if name == "role":
        return str(Role(value).label) if value in Role.values else value
    return value


def temporary_password() -> str:
    """A password to hand over once (the user changes it on the profile page)."""
    return "Kehu-" + secrets.token_urlsafe(9)


@transaction.atomic
def user_create(*, actor: User | None, data: dict[str, Any]) -> tuple[User, str]:
    """A new user; without a password, a temporary one. Returns (user, the password given or
    generated: shown once, never stored in clear or audited)."""
    _require(actor)
    values = user_clean(data, creating=True)
    _unit_check(values, role=values["role"], unit=None)
    password = values.pop("password", "") or temporary_password()
    is_active = values.pop("is_active", True)
    user = User(**values, is_active=is_active)
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action=AuditAction.USER_CREATED,
        target=user,
        changes={k: [None, _shown(k, v)] for k, v in values.items() if k != "username"},
    )
    return user, password


def _last_admin(user: User) -> bool:
    others = User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk)
    return user.role == Role.ADMIN and user.is_active and not others.exists()


@transaction.atomic
def user_update(*, actor: User | None, user: User, data: dict[str, Any]) -> User:
    """Change the given fields. Deactivating ends the user's sessions and revokes their API
    tokens (their customers stay theirs until a hand-over); the last active administrator
    cannot be deactivated or demoted."""
    _require(actor)
    values = user_clean(data, creating=False)
    if "password" in values:
        raise ValidationFailed({"password": [_("Reset a password with its own action.")]})
    user = User.objects.select_for_update().get(pk=user.pk)
    _unit_check(values, role=values.get("role", user.role), unit=user.steward_unit)
    changes = {
        k: [_shown(k, getattr(user, k)), _shown(k, v)]
        for k, v in values.items()
        if getattr(user, k) != v
    }
    if not changes:
        return user
    losing_admin = values.get("is_active") is False or values.get("role", Role.ADMIN) != Role.ADMIN
    if losing_admin and _last_admin(user):
        raise Conflict(_("%(name)s is the last active administrator.") % {"name": user.label})
    deactivating = values.get("is_active") is False and user.is_active
    reactivating = values.get("is_active") is True and not user.is_active
    for name, value in values.items():
        setattr(user, name, value)
    user.save(update_fields=[k for k in values if k in changes])
    revoked: dict[str, int] = {}
    if deactivating:
        revoked = user_deactivate(actor=actor, user=user)
    if deactivating or reactivating:
        changes.pop("is_active", None)
        audit_record(
            actor=actor,
            action=AuditAction.USER_DEACTIVATED if deactivating else AuditAction.USER_REACTIVATED,
            target=user,
            changes=revoked or None,
        )
    if changes:
        audit_record(actor=actor, action=AuditAction.USER_UPDATED, target=user, changes=changes)
    return user


@transaction.atomic
def user_password_reset(*, actor: User | None, user: User, password: str = "") -> str:
    """Set a new password (given, or a temporary one returned to show once) and end the user's
    sessions. Audited without the password."""
    _require(actor)
    if password:
        user_clean({"password": password}, creating=False)
    new = password or temporary_password()
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(new)
    user.save(update_fields=["password"])
    sessions = _revoke_sessions(user)
    audit_record(
        actor=actor,
        action=AuditAction.USER_PASSWORD_RESET,
        target=user,
        changes={"sessions_ended": sessions, "generated": not password},
    )
    return new
