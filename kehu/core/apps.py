from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kehu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.core.signals import setting_changed  # noqa: F401

        from . import checks, db  # noqa: F401  (db: the any_of lookup)

        post_migrate.connect(analyze_after_migrate, sender=self)


def analyze_after_migrate(using: str, plan: Any = None, **kwargs: Any) -> None:
    """`kehu migrate` leaves fresh planner statistics (kehu.core.db): when it applied something
    (new indexes, reshaped tables) or when the customers have none yet (a database loaded by
    other means). A `migrate` with nothing to do on an analyzed database costs one look-up.
    `flush` sends post_migrate without a plan: nothing to analyze in an emptied database."""
    if plan is None:
        return
    from .db import db_analyze, has_statistics

    if plan or not has_statistics(using=using):
        db_analyze(using=using)
