from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaptureConfig(AppConfig):
    """Capture (web-form leads, business cards, chat, anomaly review), inside intake.

    Its own app label and migrations so that it never races the import engineers' intake
    migrations; it is still part of the intake layer for import-linter.
    """

    name = "kehu.intake.capture"
    label = "capture"
    verbose_name = _("Capture")
