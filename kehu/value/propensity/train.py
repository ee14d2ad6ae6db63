"""Training, honest evaluation and scoring of the churn and repurchase models.

Snapshots: the hold-out is the snapshot at T - horizon (T: today), its labels the last horizon
of history. The training snapshots end at T - 2 x horizon and go back a quarter at a time, so
every training label was known before the hold-out's cutoff: nothing of the test period is in
training. The model (standard scaling + logistic regression) is evaluated there (AUC, Brier
score, a reliability table in 10 bins), then refitted on all snapshots and stored as plain
numbers with its run; scores are the fitted probabilities of today's features."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import PropensityRun
from .features import FEATURE_NAMES, features_at, labels_at, populations_at
from .history import EPOCH, History, day_number

KINDS = (PropensityRun.Kind.CHURN, PropensityRun.Kind.REPURCHASE)
STEP_DAYS = 91
SEED = 17


@dataclass
class Dataset:
    x: np.ndarray
    y: np.ndarray
    cutoffs: np.ndarray  # the snapshot's cutoff day of each row (the split is checked on it)


def training_cutoffs(today: int, horizon: int, first_day: int) -> tuple[list[int], int]:
    """(the training snapshots' cutoffs, newest first; the hold-out's cutoff)."""
    test = today - horizon
    newest = today - 2 * horizon
    count = max(1, int(settings.KEHU_PROPENSITY_SNAPSHOTS))
    cutoffs = [newest - k * STEP_DAYS for k in range(count)]
    return [c for c in cutoffs if c > first_day + 30] or [newest], test


def _rows(history: History, cutoffs: list[int], kind: str, horizon: int, cap: int) -> Dataset:
    xs, ys, cs = [], [], []
    rng = np.random.default_rng(SEED)
    each = max(1, cap // len(cutoffs))  # a seeded sample per snapshot bounds time and memory
    for cutoff in cutoffs:
        rows = np.flatnonzero(populations_at(history, cutoff)[kind])
        if len(rows) > each:
            rows = np.sort(rng.choice(rows, each, replace=False))
        xs.append(features_at(history, cutoff)[rows])
        ys.append(labels_at(history, cutoff, horizon)[kind][rows])
        cs.append(np.full(len(rows), cutoff, dtype=np.int64))
    return Dataset(np.concatenate(xs), np.concatenate(ys).astype(np.int8), np.concatenate(cs))


def calibration_table(p: np.ndarray, y: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = which == b
        if not mask.any():
            continue
        table.append(
            {
                "low": round(float(edges[b]), 2),
                "high": round(float(edges[b + 1]), 2),
                "count": int(mask.sum()),
                "predicted": round(float(p[mask].mean()), 4),
                "observed": round(float(y[mask].mean()), 4),
            }
        )
    return table


def _fit(x: np.ndarray, y: np.ndarray) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=500))
    pipe.fit(x, y)
    return pipe


def model_json(pipe: Any) -> dict[str, Any]:
    scaler, logit = pipe[0], pipe[-1]
    return {
        "features": list(FEATURE_NAMES),
        "mean": [float(v) for v in scaler.mean_],
        "scale": [float(v) for v in scaler.scale_],
        "coef": [float(v) for v in logit.coef_[0]],
        "intercept": float(logit.intercept_[0]),
    }


def model_predict(model: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """The stored model's probabilities (no scikit-learn needed to score)."""
    mean, scale = np.asarray(model["mean"]), np.asarray(model["scale"])
    z = ((x - mean) / np.where(scale == 0, 1, scale)) @ np.asarray(model["coef"])
    probabilities: np.ndarray = 1.0 / (1.0 + np.exp(-(z + model["intercept"])))
    return probabilities


def insufficient_message(have_customers: int, have_months: float) -> str:
    return _(
        "Not enough history: the model needs at least %(customers)s customers with orders "
        "and %(months)s months of history (there are %(have_customers)s customers and "
        "%(have_months)s months)."
    ) % {
        "customers": settings.KEHU_PROPENSITY_MIN_CUSTOMERS,
        "months": settings.KEHU_PROPENSITY_MIN_MONTHS,
        "have_customers": have_customers,
        "have_months": int(have_months),
    }


def history_sufficiency(history: History, today: int) -> str:
    """'' when there is enough history to train, else the message that says what is missing."""
    with_orders = int(len(np.unique(history.order_idx)))
    first = history.first_order_day()
    months = 0.0 if first is None else (today - first) / 30.44
    if (
        with_orders < settings.KEHU_PROPENSITY_MIN_CUSTOMERS
        or months < settings.KEHU_PROPENSITY_MIN_MONTHS
    ):
        return insufficient_message(with_orders, months)
    return ""


def train_kind(
    history: History, kind: str, *, now: datetime
) -> tuple[PropensityRun, np.ndarray | None]:
    """One model: its run (not saved) and today's scores (nan outside its population)."""
    started = time.monotonic()
    horizon = int(settings.KEHU_PROPENSITY_HORIZON_DAYS)
    today = day_number(timezone.localdate(now))
    run = PropensityRun(kind=kind, trained_at=now, horizon_days=horizon)
    reason = history_sufficiency(history, today)
    if reason:
        run.status, run.message = PropensityRun.Status.INSUFFICIENT, reason
        return run, None
    first = int(min(history.first_order_day() or today, today))
    cutoffs, test_cutoff = training_cutoffs(today, horizon, first)
    cap = int(settings.KEHU_PROPENSITY_MAX_ROWS)
    train = _rows(history, cutoffs, kind, horizon, cap)
    test = _rows(history, [test_cutoff], kind, horizon, cap)
    run.test_cutoff = _date(test_cutoff)
    run.rows, run.positives = len(train.y), int(train.y.sum())
    run.test_rows, run.test_positives = len(test.y), int(test.y.sum())
    least = int(settings.KEHU_PROPENSITY_MIN_POSITIVES)
    counts = (run.positives, run.rows - run.positives, run.test_positives)
    if min(counts) < least or run.test_rows - run.test_positives < least:
        run.status = PropensityRun.Status.INSUFFICIENT
        run.message = _(
            "Not enough history: the training or the hold-out set has fewer than %(least)s "
            "positive or negative cases, too few to train reliably."
        ) % {"least": least}
        return run, None
    assert int(train.cutoffs.max()) + horizon <= test_cutoff  # no test-period label in training
    from sklearn.metrics import brier_score_loss, roc_auc_score

    pipe = _fit(train.x, train.y)
    p = pipe.predict_proba(test.x)[:, 1]
    run.auc = float(roc_auc_score(test.y, p))
    run.brier = float(brier_score_loss(test.y, p))
    run.calibration = calibration_table(p, test.y)
    final = _fit(np.concatenate([train.x, test.x]), np.concatenate([train.y, test.y]))
    run.model = model_json(final)
    run.model["train_cutoffs"] = [_date(c).isoformat() for c in cutoffs]
    mask = populations_at(history, today)[kind]
    scores = np.full(history.size, np.nan)
    scores[mask] = model_predict(run.model, features_at(history, today)[mask])
    run.status = PropensityRun.Status.OK
    run.scored = int(mask.sum())
    run.seconds = time.monotonic() - started
    return run, scores


def _date(day: int) -> date:
    return EPOCH + timedelta(days=int(day))
