from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ValueConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kehu.value"
    verbose_name = _("Customer value")
