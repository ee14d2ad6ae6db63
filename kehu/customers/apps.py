from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kehu.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        """Tell the review queue how to replay this app's approved changes."""
        from kehu.review.appliers import register_applier
        from kehu.review.models import ReviewItem

        from .services.bulk import apply_bulk_update
        from .services.contacts import apply_contact_update
        from .services.write import apply_customer_create, apply_customer_update

        register_applier(ReviewItem.Action.CUSTOMER_CREATE, apply_customer_create)
        register_applier(ReviewItem.Action.CUSTOMER_UPDATE, apply_customer_update)
        register_applier(ReviewItem.Action.CONTACT_UPDATE, apply_contact_update)
        register_applier(ReviewItem.Action.BULK_UPDATE, apply_bulk_update)
