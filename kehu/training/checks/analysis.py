"""Checks of the analysis stage: answers computed from the workspace's own data."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.customers.models import Customer, Source

from .registry import CheckContext, CheckResult, check


def quarter_start(today: date) -> date:
    return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)


def best_source_this_quarter(today: date) -> Source | None:
    """The source whose customers first contacted this quarter became 成交 most often (share of
    won; ties: more customers, then the source's order)."""
    rows = (
        Customer.objects.filter(
            first_contact_date__gte=quarter_start(today),
            first_contact_date__lte=today,
            source__isnull=False,
        )
        .values("source")
        .annotate(total=Count("id"), won=Count("id", filter=Q(status=Customer.Status.WON)))
    )
    ranked = sorted(
        rows, key=lambda row: (-row["won"] / row["total"], -row["total"], row["source"])
    )
    if not ranked:
        return None
    return Source.objects.get(pk=ranked[0]["source"])


@check("best_source_answer")
def best_source_answer(context: CheckContext, answer: str = "source") -> CheckResult:
    given = (context.answers.get(answer) or "").strip()
    if not given:
        return CheckResult(False, _("Pick a source as your answer."))
    best = best_source_this_quarter(timezone.localdate())
    if best is None:
        return CheckResult(False, _("No customer was first contacted this quarter."))
    if given not in (best.code, best.name):
        return CheckResult(
            False, _("That is not the source that converts best this quarter: look again.")
        )
    return CheckResult(True, _("Right: %(source)s converts best.") % {"source": best.name})
