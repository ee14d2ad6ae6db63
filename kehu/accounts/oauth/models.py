"""What Kehu adds to django-oauth-toolkit's Application: the scopes it may ask for, the user a
server-to-server application acts as, and its revocation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application


class ApplicationPolicy(models.Model):
    """One row per registered application (created with it by `oauth_application_register`)."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="kehu_policy"
    )
    allowed_scopes = models.TextField(_("allowed scopes"), help_text=_("Space-separated."))
    acts_as = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Client-credentials applications only: whose data and rights they use."),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("application policy")

    def __str__(self) -> str:
        return str(self.application.name)

    @property
    def scopes(self) -> list[str]:
        return self.allowed_scopes.split()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
