from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OAuthConfig(AppConfig):
    name = "kehu.accounts.oauth"
    label = "oauth"
    verbose_name = _("Connected applications")
    default_auto_field = "django.db.models.BigAutoField"
