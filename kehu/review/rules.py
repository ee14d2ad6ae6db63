"""The review rules as data: which rule is on and its threshold (kehu.review.models.ReviewRule).

The owning services decide *whether* a change matches (they know their fields); these helpers
only read the thresholds, so that every service reads them the same way.
"""

from __future__ import annotations

from decimal import Decimal

from .models import ReviewRule

Kind = ReviewRule.Kind


def active_rule(kind: str) -> ReviewRule | None:
    """The rule of this kind if an administrator has it switched on."""
    return ReviewRule.objects.filter(kind=kind, is_active=True).first()


def threshold(kind: str) -> Decimal | None:
    rule = active_rule(kind)
    return rule.threshold if rule is not None else None


def format_yuan(amount: Decimal | None) -> str:
    """Amounts in a reason or a diff as people say them: 3,500 元, 50万, 1.2亿."""
    if amount is None:
        return "—"
    if amount >= Decimal(100_000_000):
        return f"{(amount / Decimal(100_000_000)).normalize():f}亿"
    if amount >= Decimal(10_000):
        return f"{(amount / Decimal(10_000)).normalize():f}万"
    return f"{amount:,.0f} 元"
