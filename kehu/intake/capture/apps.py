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

    def ready(self) -> None:
        """A merge moves leads (and the consent they carry) with their customer and contact."""
        from kehu.dedupe.movers import Mover, register_mover

        from . import services

        register_mover(
            Mover(
                label="capture.lead",
                rows_of_customer=services.leads_of_customer,
                rows_of_contact=services.leads_of_contact,
                move=services.leads_move,
                move_to_contact=services.leads_move_to_contact,
            )
        )
