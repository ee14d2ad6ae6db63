from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "kehu.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from kehu.customers.consent_gate import (
            register_consent_bulk_recorder,
            register_consent_gate,
            register_consent_recorder,
        )
        from kehu.dedupe.movers import Mover, register_mover

        from .selectors import customers_with_consent
        from .services import movers
        from .services.consent import consents_record_basis, consents_record_bulk

        register_consent_gate(customers_with_consent)
        register_consent_recorder(consents_record_basis)
        register_consent_bulk_recorder(consents_record_bulk)
        register_mover(
            Mover(
                label="privacy.consent",
                rows_of_customer=movers.consents_of_customer,
                rows_of_contact=movers.consents_of_contact,
                move=movers.consents_move,
                move_to_contact=movers.consents_move_to_contact,
            )
        )
