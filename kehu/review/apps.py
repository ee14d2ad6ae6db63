from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    """The one review queue: changes that wait for a person (approvals, anomalies)."""

    name = "kehu.review"
    label = "review"
    verbose_name = _("Review")
