from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "kehu.workflow"
    label = "workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        from kehu.audit.events import listen

        from .tasks import events_wake

        listen(events_wake)
