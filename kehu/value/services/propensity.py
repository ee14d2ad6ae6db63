"""propensity_train: train both models, store their runs, write every customer's scores."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.models import AuditEntry
from kehu.audit.services import audit_record

from ..models import CustomerValue, PropensityRun
from ..propensity.history import History, history_load
from ..propensity.train import KINDS, train_kind

BATCH = 2000  # 3 parameters a row: within SQLite's 32,766
FIELDS = {"churn": "churn_probability", "repurchase": "repurchase_probability"}


def scores_write(history: History, scores: dict[str, np.ndarray | None]) -> int:
    """Write the likelihoods (null where a model is off or does not apply), creating missing
    CustomerValue rows; returns how many rows were written."""
    ids = history.customer_ids
    have = set(CustomerValue.objects.values_list("customer_id", flat=True))
    missing = [int(i) for i in ids if int(i) not in have]
    for start in range(0, len(missing), BATCH):
        CustomerValue.objects.bulk_create(
            [CustomerValue(customer_id=i) for i in missing[start : start + BATCH]],
            ignore_conflicts=True,
        )
    columns = {
        kind: (values if values is not None else np.full(len(ids), np.nan))
        for kind, values in scores.items()
    }
    written = 0
    for start in range(0, len(ids), BATCH):
        rows = [
            (
                int(customer_id),
                *(_number(columns[kind][start + offset]) for kind in FIELDS),
            )
            for offset, customer_id in enumerate(ids[start : start + BATCH])
        ]
        _update_from_values(rows)
        written += len(rows)
    return written


def _number(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 4)


def _update_from_values(rows: list[tuple[float | None, ...]]) -> None:
    """One UPDATE … FROM (VALUES …) per batch: bulk_update's CASE WHEN per row grows with the
    square of the batch on PostgreSQL."""
    table = CustomerValue._meta.db_table
    params = [value for row in rows for value in row]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values = ", ".join(["(%s, %s::double precision, %s::double precision)"] * len(rows))
            cursor.execute(
                f"UPDATE {table} AS v SET churn_probability = s.c, "
                f"repurchase_probability = s.r FROM (VALUES {values}) AS s(id, c, r) "
                "WHERE v.customer_id = s.id",
                params,
            )
        else:
            values = ", ".join(["(%s, %s, %s)"] * len(rows))
            cursor.execute(
                f"UPDATE {table} SET churn_probability = s.column2, "
                f"repurchase_probability = s.column3 FROM (VALUES {values}) AS s "
                f"WHERE {table}.customer_id = s.column1",
                params,
            )


def propensity_train(*, actor: User | None = None, now: datetime | None = None) -> list[Any]:
    """Train (or switch off) both models on the whole history; one run each, audited."""
    now = now or timezone.now()
    history = history_load()
    runs, scores = [], {}
    for kind in KINDS:
        try:
            run, kind_scores = train_kind(history, kind, now=now)
        except Exception as exc:  # recorded, and the scores are cleared rather than stale
            run = PropensityRun(
                kind=kind, trained_at=now, status=PropensityRun.Status.FAILED, message=str(exc)
            )
            kind_scores = None
        runs.append(run)
        scores[str(kind)] = kind_scores
    with transaction.atomic():
        for run in runs:
            run.save()
            audit_record(
                actor=actor,
                action=AuditAction.PROPENSITY_TRAINED,
                target=run,
                changes={
                    "kind": run.kind,
                    "status": run.status,
                    "auc": run.auc,
                    "brier": run.brier,
                    "rows": run.rows,
                },
                note=run.message[:200],
                source=None if actor else AuditEntry.Source.RULE,
            )
    scores_write(history, scores)
    return runs


def latest_runs() -> dict[str, PropensityRun | None]:
    return {
        str(kind): PropensityRun.objects.filter(kind=kind).order_by("-trained_at", "-id").first()
        for kind in KINDS
    }
