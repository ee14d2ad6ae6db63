from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TagsConfig(AppConfig):
    name = "kehu.tags"
    label = "tags"
    verbose_name = _("Tags")

    def ready(self) -> None:
        from kehu.audit.events import listen
        from kehu.review.appliers import register_applier
        from kehu.review.models import ReviewItem

        from .services.requests import tag_request_apply
        from .tasks import autotag_wake

        register_applier(ReviewItem.Action.TAG_REQUEST, tag_request_apply)
        listen(autotag_wake)  # keyword rules on save (kehu.tags.rules.events)
