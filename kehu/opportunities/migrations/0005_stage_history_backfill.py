"""Opportunities that existed before the stage history (migration 0002) get their first row:
created in their current stage at their creation time, by their owner, so the opportunity page,
`stage_history` and the days in a stage start from something true. Idempotent: only
opportunities without any history row are filled; reversing removes nothing (the rows are
history like any other)."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import F

BATCH = 2000


def backfill(apps: Any, schema_editor: Any) -> None:
    Opportunity = apps.get_model("opportunities", "Opportunity")
    Change = apps.get_model("opportunities", "OpportunityStageChange")
    alias = schema_editor.connection.alias
    last = 0
    while True:  # in primary-key batches: no cursor stays open while rows are inserted
        batch = list(
            Opportunity.objects.using(alias)
            .filter(pk__gt=last, stage_changes__isnull=True)
            .values_list("pk", "stage", "owner_id", "created_at")
            .order_by("pk")[:BATCH]
        )
        if not batch:
            break
        last = batch[-1][0]
        Change.objects.using(alias).bulk_create(
            [
                Change(
                    opportunity_id=pk,
                    from_stage="",
                    to_stage=stage,
                    changed_by_id=owner_id,
                    changed_at=created_at,
                )
                for pk, stage, owner_id, created_at in batch
            ]
        )
    Opportunity.objects.using(alias).filter(stage_changed_at__isnull=True).update(
        stage_changed_at=F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0004_opportunity_stage_close_index")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
