"""kehu propensity_train: train the churn and repurchase models now and score every customer."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kehu.value.services.propensity import propensity_train
from kehu.value.tasks import propensity_train_task


class Command(BaseCommand):
    help = (
        "Train the churn and repurchase propensity models on the company's history (evaluated "
        "on a time-based hold-out), then score every customer; --enqueue for `kehu db_worker`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the run for the task worker instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = propensity_train_task.enqueue()
            self.stdout.write(f"Queued task {result.id}.")
            return
        for run in propensity_train():
            auc = "-" if run.auc is None else f"{run.auc:.3f}"
            brier = "-" if run.brier is None else f"{run.brier:.3f}"
            self.stdout.write(
                f"{run.kind}: {run.status} rows {run.rows} hold-out {run.test_rows} "
                f"AUC {auc} Brier {brier} scored {run.scored} {run.seconds:.1f}s {run.message}"
            )
