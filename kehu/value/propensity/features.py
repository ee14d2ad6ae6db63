"""Features and labels of every customer at a cutoff day, from the loaded history (numpy).

Only what was known on the cutoff day goes into the features (orders signed, interactions
held, tags added, tasks open on or before it); the labels look at the horizon after it:
- churn: no order and no interaction in (cutoff, cutoff + horizon], among customers with at
  least one order or interaction by the cutoff;
- repurchase: an order in (cutoff, cutoff + horizon], among customers with at least one order.
The customer's current status is not a feature: it is today's value (a 流失客户 today), which
would tell the past snapshots their future."""

from __future__ import annotations

import numpy as np

from .history import FEEDBACKS, METHODS, TAG_TYPES, History

CAP = 3650.0  # recency of "never", in days

FEATURE_NAMES = (
    [
        "order_recency",
        "has_order",
        "orders",
        "orders_365",
        "revenue",
        "revenue_365",
        "interaction_recency",
        "interactions_90",
        "interactions_365",
    ]
    + [f"{m}_365" for m in METHODS]
    + [f"{m}_recency" for m in METHODS]
    + [f"feedback_{f}" for f in FEEDBACKS]
    + ["tenure"]
    + [f"tag_{t}" for t in TAG_TYPES]
    + ["open_tasks"]
)


def _count(
    idx: np.ndarray, mask: np.ndarray, n: int, weights: np.ndarray | None = None
) -> np.ndarray:
    w = None if weights is None else weights[mask]
    counts: np.ndarray = np.bincount(idx[mask], weights=w, minlength=n).astype(np.float64)
    return counts


def _last(idx: np.ndarray, day: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, -(10**7), dtype=np.int64)
    np.maximum.at(out, idx[mask], day[mask])
    return out


def _recency(last: np.ndarray, cutoff: int) -> np.ndarray:
    days: np.ndarray = np.log1p(np.clip(cutoff - last, 0, CAP).astype(np.float64))
    return days


def features_at(h: History, cutoff: int) -> np.ndarray:
    """One row per customer (h.customer_ids order), FEATURE_NAMES columns."""
    n = h.size
    cols: list[np.ndarray] = []
    past_o = h.order_day <= cutoff
    year_o = past_o & (h.order_day > cutoff - 365)
    orders = _count(h.order_idx, past_o, n)
    cols.append(_recency(_last(h.order_idx, h.order_day, past_o, n), cutoff))
    cols.append((orders > 0).astype(np.float64))
    cols.append(np.log1p(orders))
    cols.append(np.log1p(_count(h.order_idx, year_o, n)))
    cols.append(np.log1p(_count(h.order_idx, past_o, n, h.order_amount) / 10_000))
    cols.append(np.log1p(_count(h.order_idx, year_o, n, h.order_amount) / 10_000))
    past_i = h.inter_day <= cutoff
    year_i = past_i & (h.inter_day > cutoff - 365)
    cols.append(_recency(_last(h.inter_idx, h.inter_day, past_i, n), cutoff))
    cols.append(np.log1p(_count(h.inter_idx, past_i & (h.inter_day > cutoff - 90), n)))
    year_count = _count(h.inter_idx, year_i, n)
    cols.append(np.log1p(year_count))
    for code in range(len(METHODS)):
        cols.append(np.log1p(_count(h.inter_idx, year_i & (h.inter_method == code), n)))
    for code in range(len(METHODS)):
        mask = past_i & (h.inter_method == code)
        cols.append(_recency(_last(h.inter_idx, h.inter_day, mask, n), cutoff))
    answered = np.maximum(_count(h.inter_idx, year_i & (h.inter_feedback >= 0), n), 1)
    for code in range(len(FEEDBACKS)):
        cols.append(_count(h.inter_idx, year_i & (h.inter_feedback == code), n) / answered)
    cols.append(np.log1p(np.clip(cutoff - h.start_day, 0, None).astype(np.float64)))
    for tag_type in TAG_TYPES:
        idx, day = h.tag_idx[tag_type], h.tag_day[tag_type]
        cols.append((_count(idx, day <= cutoff, n) > 0).astype(np.float64))
    open_mask = (h.task_open_day <= cutoff) & (h.task_done_day > cutoff)
    cols.append(np.log1p(_count(h.task_idx, open_mask, n)))
    return np.column_stack(cols)


def populations_at(h: History, cutoff: int) -> dict[str, np.ndarray]:
    """Who each model speaks about on the cutoff day (boolean masks)."""
    n = h.size
    orders = _count(h.order_idx, h.order_day <= cutoff, n)
    inters = _count(h.inter_idx, h.inter_day <= cutoff, n)
    return {"churn": (orders + inters) > 0, "repurchase": orders > 0}


def labels_at(h: History, cutoff: int, horizon: int) -> dict[str, np.ndarray]:
    n = h.size
    end = cutoff + horizon
    future_o = _count(h.order_idx, (h.order_day > cutoff) & (h.order_day <= end), n)
    future_i = _count(h.inter_idx, (h.inter_day > cutoff) & (h.inter_day <= end), n)
    return {"churn": (future_o + future_i) == 0, "repurchase": future_o > 0}
