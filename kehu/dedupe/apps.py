from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DedupeConfig(AppConfig):
    name = "kehu.dedupe"
    label = "dedupe"
    verbose_name = _("Duplicates")

    def ready(self) -> None:
        """A queued duplicate the steward confirms becomes a pair to merge."""
        from kehu.review.appliers import register_applier
        from kehu.review.models import ReviewItem

        from .services import duplicate_item_apply

        register_applier(ReviewItem.Action.DUPLICATE, duplicate_item_apply)
