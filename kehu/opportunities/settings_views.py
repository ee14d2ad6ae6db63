"""Pipeline settings (administrators): lost reasons, stage probabilities, the product catalogue
(issue 16). Each form posts to the same services as the API."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.accounts.models import Role
from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import PermissionDenied, ValidationFailed

from .forecast import stage_percentages
from .models import LostReason, Opportunity, Product
from .selectors import stage_label
from .services.catalogue import lost_reason_save, product_save, stage_probabilities_set


def _admin(request: AuthedRequest) -> None:
    if request.user.role != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator may change the pipeline's settings."))


def _page(request: AuthedRequest, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    percent = stage_percentages()
    context: dict[str, Any] = {
        "reasons": list(LostReason.objects.all()),
        "probabilities": [(s, stage_label(s), percent[s]) for s in Opportunity.Stage.values],
        "products": list(Product.objects.all()),
        "errors": errors or {},
    }
    return render(request, "opportunities/settings.html", context, status=422 if errors else 200)


@login_required
def pipeline_settings(request: AuthedRequest) -> HttpResponse:
    _admin(request)
    return _page(request)


def _saved(request: AuthedRequest, anchor: str) -> HttpResponse:
    messages.success(request, _("Saved."))
    return redirect(reverse("pipeline-settings") + anchor)


@login_required
@require_POST
def lost_reason_edit(request: AuthedRequest) -> HttpResponse:
    """Add a reason (no id), rename, move, archive or restore one."""
    _admin(request)
    reason_id = request.POST.get("id", "")
    reason = None
    if reason_id.isdecimal() and int(reason_id) < 2**63:
        reason = get_object_or_404(LostReason, pk=int(reason_id))
    data = {k: request.POST[k] for k in ("name", "position") if request.POST.get(k, "") != ""}
    if "is_active" in request.POST:
        data["is_active"] = request.POST["is_active"]
    try:
        lost_reason_save(actor=request.user, data=data, reason=reason)
    except ValidationFailed as exc:
        return _page(request, exc.errors)
    return _saved(request, "#lost-reasons")


@login_required
@require_POST
def stage_probability_edit(request: AuthedRequest) -> HttpResponse:
    _admin(request)
    data = {s: request.POST[s] for s in Opportunity.Stage.values if s in request.POST}
    try:
        stage_probabilities_set(actor=request.user, data=data)
    except ValidationFailed as exc:
        return _page(request, exc.errors)
    return _saved(request, "#stage-probabilities")


@login_required
@require_POST
def product_edit(request: AuthedRequest) -> HttpResponse:
    """Add a product (no id) or change, archive or restore one."""
    _admin(request)
    product_id = request.POST.get("id", "")
    product = None
    if product_id.isdecimal() and int(product_id) < 2**63:
        product = get_object_or_404(Product, pk=int(product_id))
    fields = ("name", "code", "unit_price", "is_active")
    data = {k: request.POST[k] for k in fields if k in request.POST}
    try:
        product_save(actor=request.user, data=data, product=product)
    except ValidationFailed as exc:
        return _page(request, exc.errors)
    return _saved(request, "#products")
