from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "kehu.segments"
    label = "segments"
    verbose_name = _("Segments")

    def ready(self) -> None:
        from kehu.customers.segment_filter import register_segment_resolver
        from kehu.dedupe.movers import Mover, register_mover

        from .selectors import segment_filter_resolve
        from .services import movers

        register_segment_resolver(segment_filter_resolve)
        register_mover(
            Mover(
                label="segments.segmenttask",
                rows_of_customer=movers.segment_tasks_of_customer,
                rows_of_contact=movers.segment_tasks_of_contact,
                move=movers.segment_tasks_move,
                move_to_contact=movers.segment_tasks_move_to_contact,
            )
        )
