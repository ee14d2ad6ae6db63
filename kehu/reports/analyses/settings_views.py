"""Two small settings pages: the cost of each source per month (admin, marketing) and the
targets per rep or team (administrators for all, managers for their team), with attainment."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, Team, User
from kehu.accounts.policy import READ_ALL
from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import DomainError, PermissionDenied, ValidationFailed
from kehu.customers.models import Source

from .models import SourceCost, Target
from .services import (
    can_edit_source_costs,
    can_edit_targets,
    source_cost_delete,
    source_cost_save,
    target_create,
    target_delete,
)
from .targets import parse_period, period_label, target_scope, targets_attainment

COST_READERS = {Role.ADMIN, Role.MARKETING, Role.EXECUTIVE}


def _month(raw: str) -> date:
    try:
        year, month = raw.strip().split("-")[:2]
        return date(int(year), int(month), 1)
    except ValueError:
        raise ValidationFailed({"month": [_("Give a month as YYYY-MM.")]}) from None


def _message(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed):
        return "; ".join(" ".join(v) for v in exc.errors.values())
    return str(exc.message)


@login_required
def source_costs_page(request: AuthedRequest) -> HttpResponse:
    if request.user.role not in COST_READERS:
        raise PermissionDenied(_("Source costs are for administrators, marketing and executives."))
    editable = can_edit_source_costs(request.user)
    if request.method == "POST":
        try:
            if request.POST.get("delete"):
                cost = get_object_or_404(SourceCost, pk=request.POST["delete"])
                source_cost_delete(actor=request.user, cost=cost)
            else:
                source = get_object_or_404(Source, pk=request.POST.get("source") or 0)
                source_cost_save(
                    actor=request.user,
                    source=source,
                    month=_month(request.POST.get("month", "")),
                    amount=request.POST.get("amount", ""),
                    note=request.POST.get("note", ""),
                )
            messages.success(request, _("Source costs saved."))
        except DomainError as exc:
            messages.error(request, _message(exc))
        return HttpResponseRedirect(reverse("source-costs"))
    context = {
        "costs": SourceCost.objects.select_related("source")[:200],
        "sources": Source.objects.filter(is_active=True),
        "editable": editable,
    }
    return render(request, "reports/analyses/source_costs.html", context)


@login_required
def targets_page(request: AuthedRequest) -> HttpResponse:
    user = request.user
    editable = can_edit_targets(user)
    if request.method == "POST":
        try:
            if request.POST.get("delete"):
                target = get_object_or_404(
                    target_scope(user, Target.objects.all()), pk=request.POST["delete"]
                )
                target_delete(actor=user, target=target)
            else:
                kind, start = parse_period(request.POST.get("period", ""))
                holder = request.POST.get("holder", "")
                rep = team = None
                if holder.startswith("team:"):
                    team = get_object_or_404(Team, pk=holder[5:] or 0)
                else:
                    rep = get_object_or_404(User, pk=holder.removeprefix("user:") or 0)
                target_create(
                    actor=user,
                    user=rep,
                    team=team,
                    period=kind,
                    period_start=start,
                    metric=request.POST.get("metric", ""),
                    amount=request.POST.get("amount", ""),
                )
            messages.success(request, _("Targets saved."))
        except (DomainError, ValueError) as exc:
            messages.error(request, _message(exc) if isinstance(exc, DomainError) else str(exc))
        return HttpResponseRedirect(
            reverse("targets") + "?period=" + request.POST.get("period", "")
        )
    try:
        kind, start = parse_period(request.GET.get("period"))
        error = ""
    except ValidationFailed as exc:
        kind, start = parse_period(None)
        error = _message(exc)
    holders: list[tuple[str, str]] = []
    if editable:
        teams = (
            Team.objects.all()
            if user.role == Role.ADMIN
            else Team.objects.filter(pk=user.team_id or 0)
        )
        users = User.objects.filter(is_active=True, role__in=(Role.REP, Role.MANAGER))
        if user.role != Role.ADMIN:
            users = users.filter(Q(team_id=user.team_id))
        holders = [(f"team:{t.pk}", t.name) for t in teams.order_by("name")]
        holders += [(f"user:{u.pk}", u.label) for u in users.order_by("username")]
    context = {
        "rows": targets_attainment(user, period_label(kind, start)),
        "period": period_label(kind, start),
        "editable": editable,
        "holders": holders,
        "metrics": Target.Metric.choices,
        "error": error,
        "sees_all": user.role in READ_ALL,
    }
    return render(request, "reports/analyses/targets.html", context, status=422 if error else 200)
