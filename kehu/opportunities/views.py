"""The pipeline pages (issue 16): the board by stage (drag, or a stage menu on each card), the
list, an opportunity's page with its stage history and products, the forecast."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from kehu.accounts.models import Team, User
from kehu.accounts.policy import scope_for, sees_amount_bands
from kehu.accounts.requests import AuthedRequest
from kehu.audit.conflicts import conflict_explain, conflict_time
from kehu.core.edit_conflicts import FieldClash
from kehu.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from kehu.core.pagination import keyset_page

from .forecast import forecast
from .models import LostReason, Opportunity, Product
from .selectors import (
    OPEN_STAGES,
    ORDERINGS,
    opportunities_related,
    opportunity_filter,
    opportunity_get_for,
    opportunity_list_scope,
    opportunity_scope_by_customers,
    stage_label,
)
from .services import opportunity_update

CARDS_PER_STAGE = 20
LIST_SIZE = 50
FILTERS = ("stage", "owner", "team", "customer_no", "close_from", "close_to")
FILTERS_MORE = ("amount_min", "amount_max", "order")
STAGE_FIELDS = ("stage", "won_amount", "create_order", "lost_reason")


def _params(request: AuthedRequest) -> dict[str, Any]:
    params: dict[str, Any] = {k: request.GET.get(k, "").strip() for k in FILTERS + FILTERS_MORE}
    params["stage"] = [s for s in request.GET.getlist("stage") if s.strip()]
    return params


def _filtered(
    request: AuthedRequest, *, for_sums: bool = False
) -> tuple[Any, list[Any] | None, dict[str, list[str]]]:
    """The visible opportunities by the page's filters, the scope's branches, and the filters'
    errors (the page is shown unfiltered by a bad one, with its message). `for_sums`: the scope
    as an IN over the customers' (opportunity_scope_by_customers), for totals."""
    scoped, arms = opportunity_list_scope(request.user)
    if for_sums:
        scoped, arms = opportunity_scope_by_customers(request.user), None
    try:
        filtered = opportunity_filter(scoped, _params(request), user=request.user)
    except ValidationFailed as exc:
        return opportunities_related(scoped), arms, exc.errors
    return opportunities_related(filtered), arms, {}


def _filter_context(request: AuthedRequest, errors: dict[str, list[str]]) -> dict[str, Any]:
    user = request.user
    owners = User.objects.filter(is_active=True, role__in=("rep", "manager")).order_by("username")
    if user.role in ("rep", "manager") and user.team_id:
        owners = owners.filter(team=user.team_id)
    kept = QueryDict(mutable=True)
    for key in FILTERS + FILTERS_MORE:
        for value in request.GET.getlist(key):
            if value.strip():
                kept.appendlist(key, value)
    return {
        "params": _params(request),
        "filter_errors": errors,
        "owners": list(owners),
        "teams": list(Team.objects.order_by("name")),
        "stages": [(value, stage_label(value)) for value in Opportunity.Stage.values],
        "orderings": [key for key in ORDERINGS if key not in ("newest", "oldest")],
        "query": kept.urlencode(),
        "lost_reasons": list(LostReason.objects.filter(is_active=True)),
        "bands": sees_amount_bands(user),
    }


def _writable_ids(user: Any, ids: list[int]) -> set[int]:
    rows = scope_for(user, Opportunity.objects.filter(pk__in=ids), for_write=True)
    return set(rows.values_list("pk", flat=True))


@login_required
def opportunity_board(request: AuthedRequest) -> HttpResponse:
    """/opportunities/: the board by stage, or (?view=list) the list, with the same filters."""
    queryset, arms, errors = _filtered(request)
    context = _filter_context(request, errors)
    if request.GET.get("view") == "list":
        order = ORDERINGS.get(context["params"]["order"] or "newest", "-id")
        page = keyset_page(
            queryset, order=order, cursor=request.GET.get("cursor"), limit=LIST_SIZE, arms=arms
        )
        context.update(rows=page.items, next_cursor=page.next_cursor, view="list")
        context["writable"] = _writable_ids(request.user, [o.pk for o in page.items])
        return render(request, "opportunities/list.html", context)
    sums, _arms, _errors = _filtered(request, for_sums=True)
    totals = {
        row["stage"]: row
        for row in sums.order_by()
        .values("stage")
        .annotate(count=Count("id"), amount=Sum("expected_amount"))
    }
    columns = []
    for stage, label in context["stages"]:
        cards = list(
            queryset.filter(stage=stage).order_by("expected_close_date", "id")[:CARDS_PER_STAGE]
        )
        total = totals.get(stage, {})
        columns.append(
            {
                "stage": stage,
                "label": label,
                "cards": cards,
                "count": total.get("count", 0),
                "amount": total.get("amount"),
                "is_open": stage in OPEN_STAGES,
            }
        )
    ids = [card.pk for column in columns for card in column["cards"]]
    context.update(columns=columns, view="board", writable=_writable_ids(request.user, ids))
    return render(request, "opportunities/board.html", context)


@login_required
def opportunity_detail(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    opportunity = opportunity_get_for(request.user, opportunity_id)
    return render(request, "opportunities/detail.html", _detail_context(request, opportunity))


def _detail_context(
    request: AuthedRequest, opportunity: Opportunity, errors: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    can_edit = bool(_writable_ids(request.user, [opportunity.pk]))
    return {
        "opportunity": opportunity,
        "history": list(opportunity.stage_changes.select_related("changed_by")),
        "lines": list(opportunity.lines.select_related("product")),
        "stages": [(value, stage_label(value)) for value in Opportunity.Stage.values],
        "lost_reasons": list(LostReason.objects.filter(is_active=True)),
        "products": list(Product.objects.filter(is_active=True)) if can_edit else [],
        "can_edit": can_edit,
        "errors": errors or {},
        "chosen_stage": request.GET.get("stage") or opportunity.stage,
    }


def _for_change(request: AuthedRequest, opportunity_id: int) -> Opportunity:
    opportunity = opportunity_get_for(request.user, opportunity_id)
    if not _writable_ids(request.user, [opportunity.pk]):
        raise PermissionDenied(_("You may view this opportunity but not change it."))
    return opportunity


def _is_htmx(request: AuthedRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _conflict_page(
    request: AuthedRequest,
    opportunity: Opportunity,
    conflict: VersionConflict,
    data: dict[str, Any],
) -> HttpResponse:
    """Someone changed the opportunity since the page was opened: who, when, each field they
    changed (its value now against what this form sent), and the page again at the current
    version, the form keeping the stage chosen (409)."""
    fresh = _for_change(request, opportunity.pk)
    conflict_explain(conflict, yours={}, current={}, fields=CONFLICT_FIELDS)
    clashes = []
    for name in conflict.changed_fields:
        label = CONFLICT_FIELDS[name]
        theirs = _shown(fresh, name)
        yours = ""
        if name == "stage" and data.get("stage"):
            yours = stage_label(str(data["stage"]))
        elif name == "expected_amount" and data.get("won_amount"):
            yours = str(data["won_amount"])
        clashes.append(
            FieldClash(name, str(label), theirs, yours, both=bool(yours), you_changed=bool(yours))
        )
    context = _detail_context(request, fresh)
    context.update(
        {
            "conflict": conflict,
            "conflict_time": conflict_time(conflict),
            "clashes": clashes,
            "discard_url": reverse("opportunity-detail", args=[fresh.pk]),
            "chosen_stage": data.get("stage") or fresh.stage,
        }
    )
    return render(request, "opportunities/detail.html", context, status=409)


# What a conflict names of an opportunity: its audited fields, as the page labels them.
CONFLICT_FIELDS = {
    "title": pgettext_lazy("opportunity", "title"),
    "expected_amount": gettext_lazy("expected amount"),
    "stage": gettext_lazy("stage"),
    "expected_close_date": gettext_lazy("expected close date"),
    "owner": gettext_lazy("owner"),
    "owner_id": gettext_lazy("owner"),
    "source": gettext_lazy("source"),
    "lost_reason": gettext_lazy("lost reason"),
    "products": gettext_lazy("products"),
}


def _shown(opportunity: Opportunity, name: str) -> str:
    if name == "stage":
        return stage_label(opportunity.stage)
    if name in ("owner", "owner_id"):
        return str(opportunity.owner) if opportunity.owner else ""
    if name == "lost_reason":
        return opportunity.lost_reason.name if opportunity.lost_reason else ""
    if name == "products":
        return "、".join(line.product.name for line in opportunity.lines.select_related("product"))
    if name == "source":
        return str(opportunity.get_source_display())
    value = getattr(opportunity, name, "")
    return "" if value is None else str(value)


WON_NOTES = {
    "changed": gettext_lazy("%(customer)s is now a won customer (成交客户); support is told."),
    "held": gettext_lazy(
        "%(customer)s becomes a won customer (成交客户) when the manager approves; "
        "the change waits in the review queue."
    ),
}


@login_required
@require_POST
def opportunity_stage(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    """Move to a stage (the board's drop, a card's menu, the opportunity page's form); Lost
    needs a reason, Won may take the won amount and create the order."""
    opportunity = _for_change(request, opportunity_id)
    data: dict[str, Any] = {
        key: request.POST[key] for key in STAGE_FIELDS if request.POST.get(key, "") != ""
    }
    data["create_order"] = request.POST.get("create_order") in ("1", "on", "true")
    data["version"] = request.POST.get("version")  # the detail page's form; the board sends none
    try:
        opportunity = opportunity_update(actor=request.user, opportunity=opportunity, data=data)
    except VersionConflict as conflict:
        return _conflict_page(request, opportunity, conflict, data)
    except ValidationFailed as exc:
        if _is_htmx(request):
            context = {"card": opportunity, "errors": exc.errors, "can_edit": True}
            context.update(_filter_context(request, {}))
            return render(request, "opportunities/partials/_card.html", context, status=422)
        context = _detail_context(request, opportunity, exc.errors)
        context["chosen_stage"] = request.POST.get("stage") or opportunity.stage
        return render(request, "opportunities/detail.html", context, status=422)
    won_note = WON_NOTES.get(opportunity.customer_won)
    if won_note:
        messages.info(request, str(won_note) % {"customer": opportunity.customer.name})
    if _is_htmx(request):
        context = {"card": opportunities_related().get(pk=opportunity.pk), "can_edit": True}
        context.update(_filter_context(request, {}))
        return render(request, "opportunities/partials/_card.html", context)
    messages.success(
        request,
        _("%(title)s moved to %(stage)s.")
        % {"title": opportunity.title, "stage": stage_label(opportunity.stage)},
    )
    back = request.POST.get("next", "")
    if back.startswith("/opportunities/") and "//" not in back:
        return redirect(back)
    return redirect("opportunity-detail", opportunity_id=opportunity.pk)


@login_required
@require_POST
def opportunity_lines(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    """Add a product line, or remove one (`remove`: its position); the lines make the amount."""
    opportunity = _for_change(request, opportunity_id)
    lines = [
        {"product": line.product.code, "quantity": line.quantity, "unit_price": line.unit_price}
        for line in opportunity.lines.select_related("product")
    ]
    remove = request.POST.get("remove", "")
    if remove.isdecimal() and int(remove) < len(lines):
        lines.pop(int(remove))
    else:
        line = {key: request.POST.get(key, "") for key in ("product", "quantity", "unit_price")}
        lines.append({k: v for k, v in line.items() if v.strip()})
    data = {"lines": lines, "version": request.POST.get("version")}
    try:
        opportunity_update(actor=request.user, opportunity=opportunity, data=data)
    except VersionConflict as conflict:
        return _conflict_page(request, opportunity, conflict, {})
    except ValidationFailed as exc:
        context = _detail_context(request, opportunity, exc.errors)
        return render(request, "opportunities/detail.html", context, status=422)
    return redirect(reverse("opportunity-detail", args=[opportunity.pk]) + "#products")


@login_required
def opportunity_forecast(request: AuthedRequest) -> HttpResponse:
    """The weighted forecast by expected close month, per rep and per team."""
    queryset, _arms, errors = _filtered(request, for_sums=True)
    context = _filter_context(request, errors)
    context["forecast"] = forecast(queryset, bands=context["bands"])
    context["list_query"] = urlencode({"view": "list"})
    return render(request, "opportunities/forecast.html", context)
