from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "kehu.segments"
    label = "segments"
    verbose_name = _("Segments")

    def ready(self) -> None:
        from kehu.customers.segment_filter import register_segment_resolver

        from .selectors import segment_filter_resolve

        register_segment_resolver(segment_filter_resolve)
