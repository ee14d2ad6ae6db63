"""The steward's filters over probable duplicate pairs (page and API read the same names)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import DuplicatePair

STATUS_CHOICES = [("open", _("Open")), ("not_duplicate", _("Not a duplicate")), ("", _("All"))]


class PairFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or number"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("status"), choices=STATUS_CHOICES, required=False)
    source = forms.ChoiceField(
        label=_("source"), choices=[("", _("All")), *DuplicatePair.Source.choices], required=False
    )
    min_score = forms.DecimalField(
        label=_("minimum score"), min_value=0, max_value=1, decimal_places=3, required=False
    )


def pair_filter(pairs: QuerySet[DuplicatePair], data: dict[str, Any]) -> QuerySet[DuplicatePair]:
    """Pairs of `pairs` matching the cleaned filters (status is the selector's)."""
    if data.get("source"):
        pairs = pairs.filter(source=data["source"])
    if data.get("min_score") is not None:
        pairs = pairs.filter(score__gte=float(data["min_score"]))
    text = (data.get("q") or "").strip()
    if text:
        pairs = pairs.filter(
            Q(customer_a__name__icontains=text)
            | Q(customer_b__name__icontains=text)
            | Q(customer_a__customer_no=text.upper())
            | Q(customer_b__customer_no=text.upper())
        )
    return pairs
