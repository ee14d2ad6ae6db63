from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ValueConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kehu.value"
    verbose_name = _("Customer value")

    def ready(self) -> None:
        from kehu.audit.events import listen

        from .tasks import changes_wake, events_wake

        listen(changes_wake)  # recompute the customers whose orders, interactions, … changed
        listen(events_wake)  # behaviour triggers over the events that arrived
