"""Pages: users a manager/admin may hand over, the hand-over (choose, then confirm the counts),
the team pool (claim, return), the teams' pool settings, my notifications."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts.models import Role
from kehu.accounts.requests import AuthedRequest
from kehu.accounts.services import (
    can_manage_teams,
    notifications_mark_read,
    team_pool_settings_update,
)
from kehu.core.errors import ChangeHeld, DomainError, PermissionDenied, ValidationFailed
from kehu.core.text import split_list
from kehu.customers import services as customer_services
from kehu.customers.selectors import customer_get_for

from . import bulk as bulk_services
from . import services
from .selectors import (
    handover_candidates_for,
    notifications_for,
    pool_for,
    pool_reasons,
    successors_for,
    teams_for,
)

POOL_PAGE_SIZE = 25
ERRORS_SHOWN = 20  # a book of 400 left without a default: the first few, and a count


def _error_rows(errors: dict[str, list[str]]) -> list[tuple[str, str]]:
    rows = [(field, message) for field, messages in errors.items() for message in messages]
    return rows[:ERRORS_SHOWN]


@login_required
def user_list(request: AuthedRequest) -> HttpResponse:
    user: Any = request.user
    users = handover_candidates_for(user)
    if user.role not in ("admin", "manager"):
        raise PermissionDenied(_("Only an administrator or a manager hands over users."))
    return render(request, "collab/users.html", {"users": users})


def _choices(request: AuthedRequest, customers: list[Any]) -> dict[str, str]:
    """{customer_no: choice} for the customers not left on the default."""
    chosen = {}
    for customer in customers:
        value = request.POST.get(f"to_{customer.customer_no}", services.DEFAULT).strip()
        if value not in ("", services.DEFAULT):
            chosen[customer.customer_no] = value
    return chosen


@login_required
@require_http_methods(["GET", "POST"])
def handover(request: AuthedRequest, user_id: int) -> HttpResponse:
    """Step 1 chooses (a default successor, and per customer: default, pool or a successor);
    step 2 shows the counts per successor and for the pool; only its confirm hands over."""
    user = services.handover_user_get(request.user, user_id)
    preview = services.handover_preview(user)
    customers = list(preview["customers"])
    successors = list(successors_for(request.user, user))
    errors: dict[str, list[str]] = {}
    chosen: dict[str, str] = {}
    default = ""
    status = 200
    if request.method == "POST":
        chosen = _choices(request, customers)
        default = request.POST.get("default", "").strip()
        step = request.POST.get("step", "plan")
        try:
            if step == "confirm":
                services.handover_confirm(
                    actor=request.user,
                    user=user,
                    assignments=chosen,
                    default=default or None,
                    plan_token=request.POST.get("plan_token", ""),
                )
                messages.success(
                    request, _("%(user)s was deactivated and handed over.") % {"user": user.label}
                )
                return redirect("collab-users")
            if step == "plan":
                plan = services.handover_plan(
                    actor=request.user, user=user, assignments=chosen, default=default or None
                )
                return render(
                    request,
                    "collab/handover_confirm.html",
                    {
                        "subject": user,
                        "plan": plan,
                        "successor_shares": [
                            s for key, s in plan.shares.items() if key is not None
                        ],
                        "pool": plan.shares.get(None),
                        "chosen": chosen,
                        "default": default,
                    },
                )
        except ValidationFailed as exc:
            errors, status = exc.errors, exc.status_code
        except DomainError as exc:
            errors, status = {"__all__": [exc.message]}, exc.status_code
    rows = [(c, chosen.get(c.customer_no, services.DEFAULT)) for c in customers]
    return render(
        request,
        "collab/handover.html",
        {
            "subject": user,
            "preview": preview,
            "rows": rows,
            "successors": successors,
            "errors": errors,
            "error_rows": _error_rows(errors),
            "hidden_errors": max(0, sum(len(m) for m in errors.values()) - ERRORS_SHOWN),
            "default": default,
        },
        status=status,
    )


# --- The team pool (公海)


@login_required
def pool_list(request: AuthedRequest) -> HttpResponse:
    """What the user may claim (a rep's or manager's team pool; everyone's pools, read only, for
    those who see every customer), 25 a page, with why each is there."""
    user: Any = request.user
    paginator = Paginator(pool_for(user), POOL_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    customers = list(page.object_list)
    reasons = pool_reasons(customers)
    rows = [(c, reasons.get(c.pk, ""), customer_services.can_claim(user, c)) for c in customers]
    return render(
        request,
        "collab/pool.html",
        {
            "page": page,
            "rows": rows,
            "claims_today": customer_services.pool_claims_today(user),
            "claim_limit": customer_services.pool_claim_limit(user),
            "is_member": user.role in (Role.REP, Role.MANAGER) and user.team_id,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pool_claim(request: AuthedRequest, customer_no: str) -> HttpResponse:
    """GET asks to confirm (403 when the user may not claim it); POST claims it."""
    customer = customer_get_for(request.user, customer_no)
    if request.method == "GET":
        if not customer_services.can_claim(request.user, customer):
            raise PermissionDenied(_("Only customers in your own team's pool may be claimed."))
        context = {
            "customer": customer,
            "claims_today": customer_services.pool_claims_today(request.user),
            "claim_limit": customer_services.pool_claim_limit(request.user),
        }
        return render(request, "collab/pool_claim.html", context)
    try:
        services.pool_claim(actor=request.user, customer=customer)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("pool-list")
    messages.success(request, _("%(name)s is now your customer.") % {"name": customer.name})
    return redirect("customer-detail", customer_no=customer.customer_no)


@login_required
@require_http_methods(["GET", "POST"])
def pool_return(request: AuthedRequest, customer_no: str) -> HttpResponse:
    """The form asks for the reason (403 when the user may not return this customer)."""
    customer = customer_get_for(request.user, customer_no)
    if not customer_services.can_return_to_pool(request.user, customer):
        raise PermissionDenied(_("Only the owner or the team's manager may return a customer."))
    errors: dict[str, list[str]] = {}
    reason = ""
    status = 200
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            services.pool_return(actor=request.user, customer=customer, reason=reason)
        except ValidationFailed as exc:
            errors, status = exc.errors, exc.status_code
        except DomainError as exc:
            errors, status = {"__all__": [exc.message]}, exc.status_code
        else:
            messages.success(
                request,
                _("%(name)s went back to the team pool.") % {"name": customer.name},
            )
            return redirect("pool-list")
    context = {"customer": customer, "errors": errors, "reason": reason}
    return render(request, "collab/pool_return.html", context, status=status)


# --- Teams: the pool's settings (administrators)


@login_required
@require_http_methods(["GET", "POST"])
def team_settings(request: AuthedRequest) -> HttpResponse:
    """Each team's daily claim limit, and the team that takes unassigned web-form leads."""
    if not can_manage_teams(request.user):
        raise PermissionDenied(_("Only an administrator may change a team's pool settings."))
    teams = list(teams_for(request.user))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        lead_team = request.POST.get("lead_team", "")
        try:
            _save_teams(request, teams, lead_team)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Team settings saved."))
            return redirect("team-settings")
    return render(
        request,
        "collab/teams.html",
        {
            "teams": teams,
            "errors": errors,
            "has_lead_team": any(t.receives_unassigned_leads for t in teams),
        },
        status=422 if errors else 200,
    )


def _save_teams(request: AuthedRequest, teams: list[Any], lead_team: str) -> None:
    """Every team's row in one transaction; each bad limit is named by its team."""
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        for team in teams:
            try:
                team_pool_settings_update(
                    actor=request.user,
                    team=team,
                    pool_claim_daily_limit=request.POST.get(f"limit_{team.pk}", "").strip() or None,
                    receives_unassigned_leads=lead_team == str(team.pk),
                )
            except ValidationFailed as exc:
                for problems in exc.errors.values():
                    errors.setdefault(team.name, []).extend(problems)
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ValidationFailed(errors)


# --- Notifications


@login_required
def notification_list(request: AuthedRequest) -> HttpResponse:
    rows = list(notifications_for(request.user)[:100])
    return render(request, "collab/notifications.html", {"notifications": rows})


@login_required
@require_POST
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return redirect("notification-list")


# --- Bulk actions from the customer list


def _back_to_list(request: AuthedRequest) -> HttpResponse:
    """Back to the list the rows were chosen on (its filters, sort and page), else the list."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("customer-list")


@login_required
@require_POST
def customer_bulk(request: AuthedRequest) -> HttpResponse:
    """The list's chosen rows (customer_no, repeated) and one button: assign, status, tag, untag,
    or export_csv / export_xlsx (the export of just those rows, with the export's own rules)."""
    numbers = request.POST.getlist("customer_no")
    action = request.POST.get("action", "")
    if action in ("export_csv", "export_xlsx"):
        if not numbers:
            messages.error(request, _("Choose at least one customer."))
            return _back_to_list(request)
        url = reverse("customer-export", args=[action.removeprefix("export_")])
        return redirect(url + "?" + urlencode({"customer_no": ",".join(numbers)}))
    try:
        result = bulk_services.customers_bulk_act(
            actor=request.user,
            customer_nos=numbers,
            action=action,
            owner=request.POST.get("owner", ""),
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
            tags=split_list(request.POST.get("tags", "")),
        )
    except ChangeHeld as held:
        messages.warning(request, held.message)
    except ValidationFailed as exc:
        for line in exc.lines(BULK_FIELD_LABELS):
            messages.error(request, line)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        text = _("%(updated)s changed, %(unchanged)s already so.") % {
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        if result.held:
            text += " " + _("%(count)s wait for approval.") % {"count": len(result.held)}
        messages.success(request, text)
    return _back_to_list(request)


BULK_FIELD_LABELS = {
    "customer_nos": _lazy("Chosen customers"),
    "action": _lazy("Action"),
    "owner": _lazy("owner"),
    "status": _lazy("status"),
    "reason": _lazy("reason"),
    "tags": _lazy("tags"),
}
