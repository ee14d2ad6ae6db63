"""Checks of the drills: the planted duplicate merged with its 成交 status kept."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.customers.models import Customer

from .registry import CheckContext, CheckResult, check


@check("duplicate_merged")
def duplicate_merged(context: CheckContext, names: list[str]) -> CheckResult:
    left = list(Customer.objects.filter(name__in=names).order_by("id"))
    if not left:
        return CheckResult(False, _("The duplicated customer is gone: reset the workspace."))
    link = reverse("customer-detail", args=[left[0].customer_no])
    if len(left) > 1:
        return CheckResult(
            False,
            _("%(count)s records of %(name)s remain: merge them into one.")
            % {"count": len(left), "name": names[0]},
            link,
        )
    return CheckResult(True, _("One record remains."), link)


@check("merged_status_kept")
def merged_status_kept(context: CheckContext, names: list[str], status: str) -> CheckResult:
    left = list(Customer.objects.filter(name__in=names).order_by("id"))
    if len(left) != 1:
        return CheckResult(False, _("Merge the duplicate first."))
    survivor = left[0]
    link = reverse("customer-detail", args=[survivor.customer_no])
    if survivor.status != status:
        return CheckResult(
            False,
            _("The merged customer lost its status %(status)s.")
            % {"status": Customer.Status(status).label},
            link,
        )
    return CheckResult(True, _("The status was kept."), link)
