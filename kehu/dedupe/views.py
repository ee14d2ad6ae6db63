"""Steward pages: the queue of probable duplicates, side-by-side merge, undo, the scan, rules and
actions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Field
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts.models import Role, User
from kehu.accounts.policy import AMOUNT_FIELDS, can_edit_finance, sees_amount_bands
from kehu.accounts.requests import AuthedRequest
from kehu.contacts.models import Contact
from kehu.core.errors import DomainError, PermissionDenied
from kehu.core.models import Job
from kehu.core.validators import amount_band
from kehu.customers.masking import PII_FIELDS, pii_value
from kehu.customers.models import Customer, DuplicateAction, MatchRule
from kehu.customers.services import MERGE_FIELDS, contacts_pairing, status_furthest
from kehu.customers.services.duplicates import (
    action_for,
    duplicate_action_set,
    duplicate_check,
    duplicate_scope,
    match_rule_save,
)

from . import services
from .forms import PairFilterForm, pair_filter
from .picks import FINANCE_FIELDS, merge_defaults
from .selectors import (
    customer_by_id_for,
    merge_get_for,
    merge_list_for,
    pair_get_for,
    pair_list_for,
)

PAGE_SIZE = 50


def _user(request: AuthedRequest) -> User:
    return request.user


def _steward(request: AuthedRequest) -> None:
    if _user(request).role not in services.STEWARD_ROLES:
        raise PermissionDenied


def _scan_job(request: AuthedRequest) -> Job | None:
    """The latest duplicate scan this user may follow (theirs; an administrator: anyone's)."""
    jobs = Job.objects.filter(kind=services.SCAN_JOB).order_by("-id")
    if _user(request).role != Role.ADMIN:
        jobs = jobs.filter(started_by=_user(request))
    return jobs.first()


@login_required
def pair_list(request: AuthedRequest) -> HttpResponse:
    """Probable duplicates, filtered and paged; recent merges; the scan and its progress."""
    _steward(request)
    params = request.GET.copy()
    params.setdefault("status", "open")  # "" (All) only when chosen
    form = PairFilterForm(params)
    data = form.cleaned_data if form.is_valid() else {"status": "open"}
    pairs = pair_filter(pair_list_for(request.user, status=data.get("status") or None), data)
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "pairs": page.object_list,
        "query": query.urlencode(),
        "merges": merge_list_for(request.user)[:20],
        "job": _scan_job(request),
    }
    return render(request, "dedupe/pairs.html", context)


@login_required
@require_POST
def scan_start(request: AuthedRequest) -> HttpResponse:
    """Start a scan of the whole database; the list page shows its progress."""
    _steward(request)
    try:
        services.dedupe_scan_start(actor=request.user)
        messages.success(request, _("The duplicate scan has started."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("dedupe-pairs")


def _shown(user: Any, customer: Customer, name: str) -> str:
    """A field's value as this user may see it: masked as on the 360 page, labels not ids."""
    field = cast(Field[Any, Any], Customer._meta.get_field(name))
    if field.name in PII_FIELDS:
        return pii_value(user, customer, field.name, pretty=True)
    value = getattr(customer, field.name)
    if value in (None, ""):
        return ""
    if field.choices:
        return str(getattr(customer, f"get_{field.name}_display")())
    if field.name in AMOUNT_FIELDS:
        return amount_band(value) if sees_amount_bands(user) else f"¥{Decimal(value):,.2f}"
    return str(value)


def _field_rows(
    user: Any, survivor: Customer, merged: Customer, picks: dict[str, str]
) -> list[dict[str, Any]]:
    finance_locked = not can_edit_finance(user)
    rows = []
    for name in MERGE_FIELDS:
        field = cast(Field[Any, Any], Customer._meta.get_field(name))
        rows.append(
            {
                "name": name,
                "label": field.verbose_name,
                "a": _shown(user, survivor, name),
                "b": _shown(user, merged, name),
                "pick": picks[name],
                "differ": getattr(survivor, name) != getattr(merged, name),
                "locked": name == "status" or (finance_locked and name in FINANCE_FIELDS),
            }
        )
    return rows


def _contact_rows(user: Any, survivor: Customer, merged: Customer) -> dict[str, Any]:
    pairs = contacts_pairing(survivor, merged)
    folded = {other.pk for _kept, other in pairs}

    def label(contact: Contact) -> str:
        reach = [pii_value(user, contact, f, pretty=True) for f in ("mobile", "email")]
        return " · ".join([contact.name, *[r for r in reach if r]])

    return {
        "folded": [(label(kept), label(other)) for kept, other in pairs],
        "moved": [label(c) for c in merged.contacts.all() if c.pk not in folded],
    }


def _merged_message(merge: Any, survivor: Customer) -> str:
    parts = [
        _("%(merged)s merged into %(survivor)s.")
        % {"merged": merge.merged_customer_no, "survivor": survivor.customer_no}
    ]
    changes = merge.survivor_changes or {}
    for name, text in (
        ("owner_id", _("Owner changed from %(before)s to %(after)s.")),
        ("team_id", _("Team changed from %(before)s to %(after)s.")),
        ("status", _("Status changed from %(before)s to %(after)s.")),
    ):
        if name in changes:
            field = Customer._meta.get_field(name)
            before, after = (_label(field, v) for v in changes[name])
            parts.append(text % {"before": before, "after": after})
    folded = len(merge.contacts.get("folded", []))
    if folded:
        parts.append(
            ngettext(
                "%(count)d contact on both records became one.",
                "%(count)d contacts on both records became one each.",
                folded,
            )
            % {"count": folded}
        )
    return " ".join(parts)


def _label(field: Any, value: Any) -> str:
    if value in (None, ""):
        return _("nobody")
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(getattr(related, "label", None) or related or value)
    return str(dict(field.flatchoices).get(value, value))


@login_required
@require_http_methods(["GET", "POST"])
def pair_detail(request: AuthedRequest, pair_id: int) -> HttpResponse:
    """Side by side: the steward picks each field from the defaults (kehu/dedupe/picks.py)."""
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
                    for n in MERGE_FIELDS
                    if request.POST.get(f"field_{n}") in ("survivor", "merged")
                }
                merge = services.customer_merge(
                    actor=request.user, survivor=survivor, merged=merged, choices=choices
                )
                messages.success(request, _merged_message(merge, survivor))
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("dedupe-pair", args=[pair.pk]) + f"?survivor={survivor.pk}")
        return redirect("dedupe-pairs")
    picks = merge_defaults(survivor, merged, actor=request.user)
    return render(
        request,
        "dedupe/pair.html",
        {
            "pair": pair,
            "survivor": survivor,
            "merged": merged,
            "rows": _field_rows(request.user, survivor, merged, picks),
            "contacts": _contact_rows(request.user, survivor, merged),
            "owners_differ": (survivor.owner_id, survivor.team_id)
            != (merged.owner_id, merged.team_id),
            "status_result": Customer.Status(status_furthest(survivor.status, merged.status)).label,
            "finance_locked": not can_edit_finance(request.user),
        },
    )


@login_required
@require_POST
def merge_undo(request: AuthedRequest, merge_id: int) -> HttpResponse:
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
def rules(request: AuthedRequest) -> HttpResponse:
    """Matching rules and duplicate actions; an administrator changes them."""
    _steward(request)
    if request.method == "POST":
        if _user(request).role != Role.ADMIN:
            raise PermissionDenied
        try:
            if request.POST.get("form") == "action":
                duplicate_action_set(
                    actor=request.user,
                    context=request.POST.get("context", ""),
                    action=request.POST.get("action", ""),
                )
            else:
                rule = None
                if request.POST.get("rule_id"):
                    rule = MatchRule.objects.get(pk=int(request.POST["rule_id"]))
                match_rule_save(
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
    from kehu.customers.matching.labels import FIELD_LABELS
    from kehu.customers.matching.weights import FIELDS

    action_labels = dict(DuplicateAction.Action.choices)
    labels = {f.name: FIELD_LABELS.get(f.label, f.label) for f in FIELDS}
    return render(
        request,
        "dedupe/rules.html",
        {
            "rules": [
                (rule, "、".join(str(labels.get(name, name)) for name in rule.required_fields))
                for rule in MatchRule.objects.all()
            ],
            "actions": [
                (c, label, action_for(c), action_labels.get(action_for(c), action_for(c)))
                for c, label in DuplicateAction.Context.choices
            ],
            "action_choices": DuplicateAction.Action.choices,
            "fields": [(f.name, FIELD_LABELS.get(f.label, f.label)) for f in FIELDS],
            "can_edit": _user(request).role == Role.ADMIN,
        },
    )


@login_required
@require_POST
def check_partial(request: AuthedRequest) -> HttpResponse:
    """htmx partial for the customer form: probable duplicates of what is typed so far."""
    data: dict[str, Any] = {key: request.POST.get(key, "") for key in
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
def customer_link(request: AuthedRequest, customer_id: int) -> HttpResponse:
    """Where a duplicate warning links to: the customer's page."""
    customer = customer_by_id_for(request.user, customer_id)
    for name in ("customer-detail", "customer-edit"):
        try:
            return redirect(reverse(name, args=[customer.customer_no]))
        except NoReverseMatch:
            continue
    return redirect("customer-list")
