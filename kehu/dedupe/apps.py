from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DedupeConfig(AppConfig):
    name = "kehu.dedupe"
    label = "dedupe"
    verbose_name = _("Duplicates")

    def ready(self) -> None:
        """A queued duplicate the steward confirms becomes a pair to merge; a merged-away
        customer's number leads to the survivor (its Merge row says where)."""
        from kehu.customers.merged import register_merged_lookup
        from kehu.review.appliers import register_applier
        from kehu.review.models import ReviewItem

        from .services import duplicate_item_apply, merge_survivor_id

        register_applier(ReviewItem.Action.DUPLICATE, duplicate_item_apply)
        register_merged_lookup(merge_survivor_id)
