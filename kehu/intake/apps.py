from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "kehu.intake"
    label = "intake"
    verbose_name = "Imports and exports"

    def ready(self) -> None:
        """An approved export applies nothing now: the requester downloads it once, within a
        day (kehu/intake/export_guard.py)."""
        from kehu.review.appliers import register_applier
        from kehu.review.models import ReviewItem

        register_applier(ReviewItem.Action.EXPORT, lambda item: None)
