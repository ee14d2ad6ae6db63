"""Users, teams, roles and per-user API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_otp.models import Device


class Role(models.TextChoices):
    REP = "rep", _("Sales rep")
    MANAGER = "manager", _("Sales manager")
    SUPPORT = "support", _("Support")
    MARKETING = "marketing", _("Marketing")
    EXECUTIVE = "executive", _("Executive")
    STEWARD = "steward", _("Data steward")
    ADMIN = "admin", _("Administrator")
    FINANCE = "finance", _("Finance")


class Team(models.Model):
    """A sales team. Its pool (公海) holds its customers without an owner; an administrator sets
    how many a member may claim a day and which team takes web-form leads no rule assigns."""

    DEFAULT_CLAIM_LIMIT = 10

    name = models.CharField(_("name"), max_length=100, unique=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    # Customers one member may claim from the team pool per day (0: claiming is off).
    pool_claim_daily_limit = models.PositiveIntegerField(
        _("pool claims per person a day"), default=DEFAULT_CLAIM_LIMIT
    )
    # At most one team: web-form leads that no assignment rule takes land in its pool.
    receives_unassigned_leads = models.BooleanField(
        _("receives unassigned web-form leads"), default=False
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["receives_unassigned_leads"],
                condition=models.Q(receives_unassigned_leads=True),
                name="team_one_unassigned_leads_team",
            )
        ]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class UserManager(DjangoUserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: object
    ) -> User:
        """`kehu createsuperuser` makes an administrator (the role is what Kehu checks)."""
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.REP)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    # A data steward's business unit (kehu.accounts.policy): set, the steward sees, changes and
    # merges only that team's customers (its members' and its pool); unset, the whole company.
    steward_unit = models.ForeignKey(
        Team,
        verbose_name=_("business unit (data stewards)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="unit_stewards",
    )
    # Grants beyond the role (kehu.accounts.policy): reveal masked phones, e-mails and ID
    # numbers (each reveal is audited), and edit finance fields (budgets, amounts).
    can_reveal_pii = models.BooleanField(_("may reveal masked contact details"), default=False)
    can_edit_finance = models.BooleanField(_("may edit finance fields"), default=False)
    # Two-factor sign-in for this user even when the role does not require it (accounts.auth).
    requires_two_factor = models.BooleanField(_("requires two-factor sign-in"), default=False)
    # Times on pages are shown in this zone ("" = the company's, settings.TIME_ZONE).
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    if TYPE_CHECKING:  # set on the request's user by django_otp's OTPMiddleware (and token sign-in)
        otp_device: Device | None
        is_verified: Callable[[], bool]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_username()

    @property
    def label(self) -> str:
        return self.display_name or self.get_username()


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token is shown once, at creation."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        READ_WRITE = "read_write", _("Read and write")

    PREFIX_LENGTH = 8

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=16, choices=Scope, default=Scope.READ_WRITE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_token(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "kehu_" + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class Notification(models.Model):
    """A message for one user, shown on their pages until read (hand-overs, approvals, ...)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(_("message"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.message


class CalendarFeed(models.Model):
    """A user's secret calendar address (/calendar/ics/<token>.ics) for phone calendars.

    Only the token's SHA-256 is stored (the address is shown once, when made); revoking it (or
    making a new one) ends the old address."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=16)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    hash_token = staticmethod(ApiToken.hash_token)

    @staticmethod
    def generate() -> str:
        return secrets.token_urlsafe(24)
