"""The rules on one customer's figures, in Python (the one-customer path) — nightly.py states the
same rules in SQL; kehu/value/tests/test_compute.py checks that both agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..octants import CODE_OF
from .config import Config

LOST_STATUS = "lost"


def quintile(below: int, equal: int, total: int) -> int | None:
    """1-5 from the middle of the tie group's percentile: (below + equal / 2) / total."""
    if total <= 0 or equal <= 0:
        return None
    # 1 + floor(5 * pct) in integers, as the nightly SQL computes it (never above 5: equal >= 1)
    return min(5, 1 + (5 * (2 * below + equal)) // (2 * total))


@dataclass
class Figures:
    order_count: int
    revenue: float
    first_order: date | None
    last_order: date | None
    tenure_start: date
    status: str
    created_at: datetime
    last_interaction: datetime | None
    recent_interactions: int

    @property
    def aov(self) -> float:
        return round(self.revenue / self.order_count, 2) if self.order_count else 0.0


def octant_of(cfg: Config, fig: Figures, today: date) -> str:
    """High means strictly above the threshold (the median by default), so an all-equal base is
    all low; a customer without orders is not placed ("")."""
    if not fig.order_count or cfg.frequency is None or cfg.aov is None or cfg.tenure_days is None:
        return ""
    tenure = (today - fig.tenure_start).days
    dims = (fig.order_count > cfg.frequency, fig.aov > cfg.aov, tenure > cfg.tenure_days)
    return CODE_OF[dims]


def grade_of(cfg: Config, octant: str) -> str:
    return cfg.grades.get(octant, "C")


def lifecycle_of(cfg: Config, fig: Figures, now: datetime, today: date) -> str:
    """lost (status 流失) > new (the relationship began within new_days: the first order, else
    the first contact, else the record's creation — an imported book of old customers is not
    new because its rows are) > active (an order or interaction within active_days) > dormant
    (within dormant_days) > lost."""
    if fig.status == LOST_STATUS:
        return "lost"
    if fig.tenure_start >= today - timedelta(days=cfg.new_days):
        return "new"
    for window, stage in ((cfg.active_days, "active"), (cfg.dormant_days, "dormant")):
        if (fig.last_order is not None and fig.last_order >= today - timedelta(days=window)) or (
            fig.last_interaction is not None
            and fig.last_interaction >= now - timedelta(days=window)
        ):
            return stage
    return "lost"


def interaction_level_of(cfg: Config, recent: int) -> str:
    if recent >= cfg.interaction_high:
        return "high"
    return "medium" if recent >= cfg.interaction_medium else "low"


def tenure_band_of(fig: Figures, today: date) -> str:
    days = (today - fig.tenure_start).days
    return "lt1y" if days < 365 else ("1to3y" if days < 3 * 365 else "gt3y")


def repurchase_level_of(cfg: Config, order_count: int) -> str:
    if not order_count:
        return ""
    if order_count >= cfg.repurchase_high:
        return "high"
    return "medium" if order_count >= cfg.repurchase_medium else "low"
