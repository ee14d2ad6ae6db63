from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TagsConfig(AppConfig):
    name = "kehu.tags"
    label = "tags"
    verbose_name = _("Tags")

    def ready(self) -> None:
        from kehu.audit.events import listen

        from .tasks import autotag_wake

        listen(autotag_wake)  # keyword rules on save (kehu.tags.rules.events)
