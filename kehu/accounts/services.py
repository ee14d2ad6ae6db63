"""Account writes: API tokens (hashed at rest, shown once), two-factor devices, notifications,
deactivation and the teams' pool settings."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record, identifier_forms, text_names
from kehu.core.errors import PermissionDenied, ValidationFailed

from .errors import OtpRequired
from .models import ApiToken, CalendarFeed, Notification, Role, Team, User


@transaction.atomic
def api_token_create(
    *,
    actor: User | None,
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
    audit_record(
        actor=actor, action=AuditAction.API_TOKEN_CREATED, target=token, note=f"scope={scope}"
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditAction.API_TOKEN_REVOKED, target=token)
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


# --- Two-factor devices (TOTP). A device is stored only once a code from it has been checked.


def otp_pending_device(*, user: User, key: str) -> TOTPDevice:
    """An unsaved device for a key being set up: gives the secret and the otpauth:// URI."""
    return TOTPDevice(user=user, name="Kehu", key=key, confirmed=False)


@transaction.atomic
def otp_device_confirm(
    *, actor: User, user: User, key: str, token: str, session_verified: bool
) -> TOTPDevice | None:
    """Store the authenticator with this key if `token` is its current code (else None).

    A user who has a confirmed device adds another only from a session verified with one of
    them (OtpRequired otherwise); without one (first set-up, or after an admin reset) the
    password is enough. Unconfirmed leftovers are deleted; the user is notified.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()  # one confirmation at a time
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists() and not session_verified:
        raise OtpRequired()
    device = otp_pending_device(user=user, key=key)
    try:
        code = int(token.strip())
    except ValueError:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(code, device.tolerance):
        return None
    device.last_t = totp.t()  # this code cannot be used again to sign in
    device.drift = totp.drift
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    audit_record(actor=actor, action=AuditAction.USER_OTP_ADDED, target=user)
    Notification.objects.create(
        user=user,
        message=_(
            "A new authenticator was added to your account. If this was not you, ask an "
            "administrator to reset your two-factor sign-in and change your password."
        ),
        link=reverse("profile"),
    )
    return device


def can_reset_two_factor(actor: User) -> bool:
    return actor.role == Role.ADMIN


@transaction.atomic
def otp_devices_reset(*, actor: User | None, user: User) -> int:
    """Remove every two-factor device of `user` (an administrator, or the CLI with actor None).

    The user then sets one up again with the password alone; sessions verified with a removed
    device are verified no more. Audited; the user is notified. Returns how many were removed.
    """
    if actor is not None and not can_reset_two_factor(actor):
        raise PermissionDenied(_("Only an administrator may reset two-factor sign-in."))
    removed = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        removed += 1
    audit_record(
        actor=actor,
        action=AuditAction.USER_OTP_RESET,
        target=user,
        changes={"devices_removed": removed},
    )
    by = actor.label if actor is not None else _("an administrator")
    Notification.objects.create(
        user=user,
        message=_(
            "Your two-factor sign-in was reset by %(by)s. Set up an authenticator again when "
            "you next sign in; if you did not ask for this, tell an administrator."
        )
        % {"by": by},
        link=reverse("otp-setup"),
    )
    return removed


# --- Notifications, user deactivation and the team pool's settings (hand-over, leads, 公海).


def notification_send(*, users: Iterable[User], message: str, link: str = "") -> int:
    """Tell each of these users (once, inactive ones skipped) `message`; returns how many."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, message=message[:500], link=link[:300]))
    Notification.objects.bulk_create(rows)
    return len(rows)


def notifications_scrub(*, identifiers: Iterable[str], tombstone: str) -> int:
    """Erasure (issue 19): every notification whose message names the erased person (a task's
    reminder, a hand-over naming an individual customer) keeps its link and loses its text;
    returns how many."""
    forms = identifier_forms(identifiers)
    if not forms:
        return 0
    naming = Q()
    for form in forms:
        naming |= Q(message__icontains=form)
    ids = [n.pk for n in Notification.objects.filter(naming) if text_names(n.message, forms)]
    return Notification.objects.filter(pk__in=ids).update(message=tombstone)


def managers_of(team_id: int | None) -> list[User]:
    """Whom to tell about a team's customers: its active managers, else the administrators."""
    users = User.objects.filter(is_active=True).order_by("id")
    managers = list(users.filter(team_id=team_id, role=Role.MANAGER)) if team_id else []
    return managers or list(users.filter(role=Role.ADMIN))


def _revoke_sessions(user: User) -> int:
    removed = 0
    for session in Session.objects.filter(expire_date__gte=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            removed += 1
    return removed


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> dict[str, int]:
    """Deactivate the user: sign-in refused, their sessions ended and API tokens revoked.

    The caller (a hand-over) checks who may do it and audits it with its own entry."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return {"sessions_revoked": _revoke_sessions(user), "tokens_revoked": tokens}


MAX_CLAIM_LIMIT = 1000


def can_manage_teams(actor: User) -> bool:
    return actor.role == Role.ADMIN


@transaction.atomic
def team_pool_settings_update(
    *,
    actor: User,
    team: Team,
    pool_claim_daily_limit: Any = None,
    receives_unassigned_leads: bool | None = None,
) -> Team:
    """An administrator sets the team's daily claim limit and whether it takes the web-form
    leads no assignment rule takes (one team at most: setting it here clears it elsewhere)."""
    if not can_manage_teams(actor):
        raise PermissionDenied(_("Only an administrator may change a team's pool settings."))
    team = Team.objects.select_for_update().get(pk=team.pk)
    changes: dict[str, list[Any]] = {}
    if pool_claim_daily_limit is not None:
        text = str(pool_claim_daily_limit).strip()
        if not text.isdigit() or int(text) > MAX_CLAIM_LIMIT:
            raise ValidationFailed(
                {
                    "pool_claim_daily_limit": [
                        _("Give a whole number from 0 to %(max)s.") % {"max": MAX_CLAIM_LIMIT}
                    ]
                }
            )
        limit = int(text)
        if limit != team.pool_claim_daily_limit:
            changes["pool_claim_daily_limit"] = [team.pool_claim_daily_limit, limit]
            team.pool_claim_daily_limit = limit
    if receives_unassigned_leads is not None and (
        receives_unassigned_leads != team.receives_unassigned_leads
    ):
        if receives_unassigned_leads:
            for other in Team.objects.filter(receives_unassigned_leads=True).exclude(pk=team.pk):
                other.receives_unassigned_leads = False
                other.save(update_fields=["receives_unassigned_leads"])
                audit_record(
                    actor=actor,
                    action=AuditAction.TEAM_UPDATED,
                    target=other,
                    changes={"receives_unassigned_leads": [True, False]},
                )
        changes["receives_unassigned_leads"] = [
            team.receives_unassigned_leads,
            receives_unassigned_leads,
        ]
        team.receives_unassigned_leads = receives_unassigned_leads
    if changes:
        team.save(update_fields=[name for name in changes])
        audit_record(actor=actor, action=AuditAction.TEAM_UPDATED, target=team, changes=changes)
    return team


def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications (these ids, or all) read; returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def notifications_settled(*, link: str, except_user: Any = None) -> int:
    """Mark every unread notification pointing at `link` read (what it asked for is done, e.g.
    a review item decided), except `except_user`'s; returns how many."""
    unread = Notification.objects.filter(link=link, read_at__isnull=True)
    if except_user is not None:
        unread = unread.exclude(user=except_user)
    return unread.update(read_at=timezone.now())


# --- The training sandbox's people (kehu demo): teams and one user per persona.


@transaction.atomic
def team_ensure(*, name: str, region: str = "") -> Team:
    """The team of this name, created with its region if missing."""
    team, _created = Team.objects.get_or_create(name=name, defaults={"region": region})
    return team


@transaction.atomic
def sandbox_user_ensure(
    *, username: str, display_name: str, role: str, team: Team | None, password: str
) -> User:
    """A sandbox persona: created or reset to its role, team and the shared demo password."""
    user, _created = User.objects.get_or_create(username=username)
    user.display_name = display_name
    user.role = role
    user.team = team
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.is_active = True
    user.set_password(password)
    user.save()
    return user


def integration_user(*, username: str, display_name: str) -> User:
    """An account that writes on behalf of an integration (the web form): it cannot log in
    (no usable password) and acts with the data steward's rights."""
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": display_name,
            "role": Role.STEWARD,
            "password": make_password(None),
        },
    )
    return user


SYSTEM_USERNAME = "kehu-workflow"


def system_user() -> User:
    """The account workflow rules act as (returning a customer to the pool, tagging): it cannot
    log in (inactive, no usable password) and has an administrator's rights, so that a rule an
    administrator wrote is never refused half-way."""
    user, _created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "display_name": _("Workflow rules"),
            "role": Role.ADMIN,
            "password": make_password(None),
            "is_active": False,  # never told anything, never offered as an assignee
        },
    )
    return user


# --- A user's own preferences.


@transaction.atomic
def user_time_zone_set(*, actor: User, time_zone: str) -> User:
    """The zone the user's pages show times in ("" = the company's); any IANA name is taken."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    zone = (time_zone or "").strip()
    if zone:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationFailed(
                {"time_zone": [_("Unknown time zone %(zone)s.") % {"zone": zone}]}
            ) from None
    before = actor.time_zone
    if zone != before:
        User.objects.filter(pk=actor.pk).update(time_zone=zone)
        actor.time_zone = zone
        audit_record(
            actor=actor,
            action=AuditAction.USER_UPDATED,
            target=actor,
            changes={"time_zone": [before or None, zone or None]},
        )
    return actor


# --- The calendar feed's secret address (/calendar/ics/<token>.ics)


@transaction.atomic
def calendar_feed_create(*, actor: User) -> str:
    """A new secret address for the actor's calendar; the older ones stop working. Returns the
    token (shown once: only its hash is kept)."""

    now = timezone.now()
    CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=now)
    raw = CalendarFeed.generate()
    feed = CalendarFeed.objects.create(
        user=actor, token_hash=CalendarFeed.hash_token(raw), prefix=raw[:8]
    )
    audit_record(actor=actor, action=AuditAction.CALENDAR_FEED_CREATED, target=feed)
    return raw


@transaction.atomic
def calendar_feed_revoke(*, actor: User) -> int:
    """End every secret calendar address of the actor; returns how many."""

    feeds = list(CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True))
    for feed in feeds:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditAction.CALENDAR_FEED_REVOKED, target=feed)
    return len(feeds)


def calendar_feed_user(raw: str) -> User | None:
    """The active user whose live calendar address this token is, else None."""

    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=CalendarFeed.hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(minutes=10):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.user


@transaction.atomic
def user_mirror(*, user: User, team: Team | None) -> User:
    """Write a live user's row (same id, username, name, role and team) into the database in use:
    a training workspace's copy of its trainee (kehu.training). A sandbox user or team of the
    same username or name steps aside, renamed with a suffix. Nobody signs in with the copy."""
    if team is not None:
        for other in Team.objects.filter(name=team.name).exclude(pk=team.pk):
            other.name = f"{other.name}（{other.pk}）"[:100]
            other.save(update_fields=["name"])
        Team.objects.update_or_create(
            pk=team.pk, defaults={"name": team.name, "region": team.region}
        )
    for other_user in User.objects.filter(username=user.username).exclude(pk=user.pk):
        other_user.username = f"{other_user.username}-{other_user.pk}"[:150]
        other_user.save(update_fields=["username"])
    copy, _created = User.objects.update_or_create(
        pk=user.pk,
        defaults={
            "username": user.username,
            "display_name": user.display_name,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "role": user.role,
            "team_id": team.pk if team is not None else None,
            "is_active": True,
            "is_staff": user.is_staff,
            "is_superuser": user.is_superuser,
            "password": "!",
        },
    )
    return copy
