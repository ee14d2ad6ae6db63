"""Reads of the customer value rows: one customer's (the API's and the 360 page's shape) and the
counts per octant, grade and lifecycle over the customers a user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from kehu.customers.models import Customer
from kehu.customers.selectors import customer_queryset_for
from kehu.interactions.models import Interaction

from .models import CustomerValue, Level, Lifecycle
from .octants import LEVELS, OCTANTS, TENURE_BANDS, area_of, octant_name
from .services.config import config_load, settings_row


def _label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, "")) if value else ""


def value_row(customer: Customer) -> CustomerValue | None:
    try:
        return customer.value
    except CustomerValue.DoesNotExist:
        return None


def value_summary(row: CustomerValue | None) -> dict[str, Any] | None:
    """The contract of the customer detail: {rfm: {r, f, m, score}, octant, grade, lifecycle…}."""
    if row is None:
        return None
    return {
        "rfm": {"r": row.r, "f": row.f, "m": row.m, "score": row.rfm_score},
        "octant": row.octant,
        "octant_label": octant_name(row.octant),
        "grade": row.grade,
        "lifecycle": row.lifecycle,
        "lifecycle_label": _label(Lifecycle, row.lifecycle),
        "computed_at": row.computed_at,
    }


def value_detail(customer: Customer) -> dict[str, Any]:
    """Everything: the summary, the figures, the recommended action and the three levels."""
    row = value_row(customer)
    actions = config_load(settings_row()).actions if row and row.octant else {}
    summary = value_summary(row) or {
        "rfm": {"r": None, "f": None, "m": None, "score": None},
        "octant": "",
        "octant_label": "",
        "grade": "",
        "lifecycle": "",
        "lifecycle_label": "",
        "computed_at": None,
    }
    channel = row.channel_preference if row else ""
    return {
        **summary,
        "customer_no": customer.customer_no,
        "recommended_action": actions.get(row.octant, "") if row and row.octant else "",
        "order_count": row.order_count if row else 0,
        "revenue": row.revenue if row else 0,
        "avg_order_value": row.avg_order_value if row else 0,
        "first_order_date": row.first_order_date if row else None,
        "last_order_date": row.last_order_date if row else None,
        "churn_probability": row.churn_probability if row else None,
        "repurchase_probability": row.repurchase_probability if row else None,
        "levels": {
            "basic": {
                "industry": customer.industry.name if customer.industry else "",
                "sub_industry": customer.sub_industry.name if customer.sub_industry else "",
                "area": area_of(customer.province),
                "province": customer.province,
                "city": customer.city,
                "ownership": customer.ownership,
                "ownership_label": _label(Customer.Ownership, customer.ownership),
                "size": customer.size,
            },
            "behaviour": {
                "interaction_level": row.interaction_level if row else "",
                "interaction_level_label": _label(Level, row.interaction_level) if row else "",
                "product_interest": row.product_interest if row else "",
                "channel_preference": channel,
                "channel_preference_label": _label(Interaction.Method, channel),
            },
            "value": {
                "budget_band": customer.budget_band,
                "budget_band_label": _label(Customer.BudgetBand, customer.budget_band),
                "tenure_band": row.tenure_band if row else "",
                "tenure_band_label": str(TENURE_BANDS.get(row.tenure_band, "")) if row else "",
                "repurchase_level": row.repurchase_level if row else "",
                "repurchase_level_label": _label(Level, row.repurchase_level) if row else "",
            },
        },
    }


def value_counts_for(user: Any) -> dict[str, Any]:
    """Counts per octant, grade and lifecycle over the customers this user may see (chart
    data); customers not yet computed or without orders count as unplaced."""
    visible = customer_queryset_for(user)
    rows = CustomerValue.objects.filter(customer__in=visible.values("pk"))
    actions = config_load(settings_row()).actions

    def by(field: str) -> dict[str, int]:
        counted = rows.values(field).annotate(n=Count("pk")).order_by()
        return {row[field]: row["n"] for row in counted}

    octants, grades, stages = by("octant"), by("grade"), by("lifecycle")
    total = visible.count()
    return {
        "total": total,
        "octants": [
            {
                "code": code,
                "label": octant_name(code),
                "frequency_high": dims[0],
                "aov_high": dims[1],
                "tenure_long": dims[2],
                "count": octants.get(code, 0),
                "recommended_action": actions[code],
            }
            for code, dims in OCTANTS.items()
        ],
        "unplaced": total - sum(octants.get(code, 0) for code in OCTANTS),
        "grades": [{"code": g, "count": grades.get(g, 0)} for g in ("A", "B", "C")],
        "lifecycles": [
            {"code": s, "label": _label(Lifecycle, s), "count": stages.get(s, 0)}
            for s in Lifecycle.values
        ],
        "levels": list(LEVELS),
    }
