"""Steward pages: the queue of probable duplicates, side-by-side merge, undo, rules and actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts.models import Role
from kehu.core.errors import DomainError
from kehu.customers.models import Customer, DuplicateAction, MatchRule
from kehu.customers.services.duplicates import action_for, duplicate_check, duplicate_scope

from . import services
from .selectors import (
    customer_by_id_for,
    merge_get_for,
    merge_list_for,
    pair_get_for,
    pair_list_for,
)


def _steward(request: HttpRequest) -> None:
    if request.user.role not in services.STEWARD_ROLES:
        raise PermissionDenied


@login_required
def pair_list(request: HttpRequest) -> HttpResponse:
    _steward(request)
    pairs = pair_list_for(request.user)[:200]
    merges = merge_list_for(request.user)[:20]
    return render(request, "dedupe/pairs.html", {"pairs": pairs, "merges": merges})


def _field_rows(a: Customer, b: Customer, picks: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for name in services.MERGE_FIELDS:
        field = Customer._meta.get_field(name.removesuffix("_id"))
        rows.append(
            {
                "name": name,
                "label": field.verbose_name,
                "a": getattr(a, field.name) or "",
                "b": getattr(b, field.name) or "",
                "pick": picks[name],
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def pair_detail(request: HttpRequest, pair_id: int) -> HttpResponse:
    """Side by side: the steward picks each field (default: newest non-empty value)."""
    _steward(request)
    pair = pair_get_for(request.user, pair_id)
    survivor_id = int(request.POST.get("survivor") or request.GET.get("survivor") or 0)
    survivor, merged = pair.customer_a, pair.customer_b
    if survivor_id == merged.pk:
        survivor, merged = merged, survivor
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "not_duplicate":
                services.pair_mark_not_duplicate(actor=request.user, pair=pair)
                messages.success(request, _("Marked as not a duplicate."))
            else:
                choices = {
                    n: request.POST[f"field_{n}"]
                    for n in services.MERGE_FIELDS
                    if request.POST.get(f"field_{n}") in ("survivor", "merged")
                }
                merge = services.customer_merge(
                    actor=request.user, survivor=survivor, merged=merged, choices=choices
                )
                messages.success(
                    request,
                    _("%(merged)s merged into %(survivor)s.")
                    % {"merged": merge.merged_customer_no, "survivor": survivor.customer_no},
                )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("dedupe-pair", pair_id=pair.pk)
        return redirect("dedupe-pairs")
    picks = services.merge_defaults(survivor, merged)
    return render(
        request,
        "dedupe/pair.html",
        {
            "pair": pair,
            "survivor": survivor,
            "merged": merged,
            "rows": _field_rows(survivor, merged, picks),
        },
    )


@login_required
@require_POST
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    _steward(request)
    merge = merge_get_for(request.user, merge_id)
    try:
        customer = services.merge_undo(actor=request.user, merge=merge)
        messages.success(request, _("%(no)s restored.") % {"no": customer.customer_no})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("dedupe-pairs")


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    """Matching rules and duplicate actions; an administrator changes them."""
    _steward(request)
    if request.method == "POST":
        if request.user.role != Role.ADMIN:
            raise PermissionDenied
        try:
            if request.POST.get("form") == "action":
                services.duplicate_action_set(
                    actor=request.user,
                    context=request.POST.get("context", ""),
                    action=request.POST.get("action", ""),
                )
            else:
                rule = None
                if request.POST.get("rule_id"):
                    rule = MatchRule.objects.get(pk=int(request.POST["rule_id"]))
                services.match_rule_save(
                    actor=request.user,
                    rule=rule,
                    data={
                        "name": request.POST.get("name", ""),
                        "description": request.POST.get("description", ""),
                        "min_score": request.POST.get("min_score", "0.9"),
                        "required_fields": request.POST.getlist("required_fields"),
                        "is_active": request.POST.get("is_active") == "on",
                    },
                )
            messages.success(request, _("Saved."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("dedupe-rules")
    from kehu.customers.matching.weights import FIELDS

    return render(
        request,
        "dedupe/rules.html",
        {
            "rules": MatchRule.objects.all(),
            "actions": [
                (c, label, action_for(c)) for c, label in DuplicateAction.Context.choices
            ],
            "action_choices": DuplicateAction.Action.choices,
            "fields": [(f.name, f.label) for f in FIELDS],
            "can_edit": request.user.role == Role.ADMIN,
        },
    )


@login_required
@require_POST
def check_partial(request: HttpRequest) -> HttpResponse:
    """htmx partial for the customer form: probable duplicates of what is typed so far."""
    data = {key: request.POST.get(key, "") for key in
            ("name", "credit_code", "phone", "email", "address", "city")}  # fmt: skip
    data["decision_maker"] = {
        "name": request.POST.get("decision_maker_name", ""),
        "mobile": request.POST.get("decision_maker_mobile", ""),
    }
    exclude = None
    if request.POST.get("customer_id", "").isdigit():
        exclude = customer_by_id_for(request.user, int(request.POST["customer_id"])).pk
    result = duplicate_check(
        data=data, context=request.POST.get("context", "create"), exclude_id=exclude
    )
    scoped = duplicate_scope(request.user, result.matches, about=data["name"])
    return render(
        request,
        "dedupe/partials/_check.html",
        {"result": result, "matches": scoped.visible, "hidden": scoped.hidden},
    )


@login_required
def customer_link(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Where a duplicate warning links to: the customer's page."""
    customer = customer_by_id_for(request.user, customer_id)
    for name in ("customer-detail", "customer-edit"):
        try:
            return redirect(reverse(name, args=[customer.customer_no]))
        except NoReverseMatch:
            continue
    return redirect("customer-list")
