"""kehu freshness_run: the verification cadences and the behaviour triggers, now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kehu.value.freshness.cadence import cadence_run
from kehu.value.services.triggers import triggers_run


class Command(BaseCommand):
    help = "Create the verify tasks due by grade and the behaviour triggers' review tasks."

    def handle(self, *args: Any, **options: Any) -> None:
        verify = cadence_run()
        triggered = triggers_run()
        self.stdout.write(f"verify tasks {verify}, trigger tasks {triggered}.")
