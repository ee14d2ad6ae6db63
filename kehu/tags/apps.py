from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TagsConfig(AppConfig):
    name = "kehu.tags"
    label = "tags"
    verbose_name = _("Tags")

    def ready(self) -> None:
        from kehu.review.appliers import register_applier
        from kehu.review.models import ReviewItem

        from .services.requests import tag_request_apply

        register_applier(ReviewItem.Action.TAG_REQUEST, tag_request_apply)
