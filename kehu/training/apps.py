from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "kehu.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from kehu.core.gates import gate_register

        from . import checks  # noqa: F401  (the check registry fills itself)
        from .certification import certification_gate

        gate_register("import", certification_gate)
        gate_register("merge", certification_gate)
