"""Customer list, create and edit pages: thin edges over the selectors and services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kehu.accounts.models import Role, User
from kehu.accounts.policy import READ_ALL, can_create_customer
from kehu.core.errors import ValidationFailed
from kehu.core.guards import ChangeHeld, ProbableDuplicate, change_guard
from kehu.core.pagination import keyset_page

from . import services
from .forms import CustomerFilterForm, CustomerForm
from .selectors import customer_filter, customer_get_for, customer_queryset_for

LIST_RELATED = ("industry", "sub_industry", "owner", "team", "source")


def is_htmx(request: HttpRequest) -> bool:
    """A partial is wanted: an htmx request that is not a history restore."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def owner_filter_choices(user: Any) -> list[tuple[str, str]]:
    choices = [("", "—"), ("me", _("Me"))]
    if user.role == Role.REP:
        return choices
    users = User.objects.filter(is_active=True, role__in=(Role.REP, Role.MANAGER))
    if user.role == Role.MANAGER and user.team_id:
        users = users.filter(team_id=user.team_id)
    elif user.role not in READ_ALL and user.role not in (Role.SUPPORT, Role.MARKETING):
        return choices
    return choices + [(str(u.pk), u.label) for u in users.order_by("username")]


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    form = CustomerFilterForm(request.GET, owners=owner_filter_choices(request.user))
    params = form.params()
    filter_errors: dict[str, list[str]] = {}
    page = None
    try:
        customers = customer_filter(
            customer_queryset_for(request.user), {**params, "_user": request.user}
        ).select_related(*LIST_RELATED)
        page = keyset_page(
            customers, order="-id", cursor=request.GET.get("cursor"), limit=settings.KEHU_PAGE_SIZE
        )
    except ValidationFailed as exc:
        filter_errors = exc.errors
        for key, errors in exc.errors.items():
            for error in errors:
                form.add_error(key if key in form.fields else None, error)
    base_query = urlencode(params)
    next_url = ""
    if page is not None and page.next_cursor:
        next_url = "?" + urlencode({**params, "cursor": page.next_cursor})
    context = {
        "form": form,
        "page": page,
        "customers": page.items if page else [],
        "filter_errors": filter_errors,
        "next_url": next_url,
        "first_url": "?" + base_query if base_query else "?",
        "is_later_page": bool(request.GET.get("cursor")),
        "is_filtered": bool(params),
        "can_create": can_create_customer(request.user),
        "is_admin": request.user.role == Role.ADMIN,
    }
    template = "customers/partials/_rows.html" if is_htmx(request) else "customers/list.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest) -> HttpResponse:
    if not can_create_customer(request.user):
        raise PermissionDenied(_("Your role may not create customers."))
    form = CustomerForm(request.POST or None, actor=request.user)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            data = form.payload()
            data["allow_duplicate"] = form.cleaned_data.get("allow_duplicate", False)
            change_guard(action="customer_create", actor=request.user, data=data)
            data.pop("allow_duplicate")
            customer = services.customer_create(actor=request.user, data=data)
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        except ProbableDuplicate as exc:
            duplicate = exc
        else:
            messages.success(
                request, _("Customer %(number)s created.") % {"number": customer.customer_no}
            )
            if customer.missing_fields:
                messages.warning(
                    request,
                    _("This customer is marked incomplete: please fill in the missing fields."),
                )
            return redirect("customer-detail", customer_no=customer.customer_no)
    status = 409 if duplicate else 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "customers/form.html",
        {"form": form, "customer": None, "duplicate": duplicate},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, customer_no: str) -> HttpResponse:
    customer = customer_get_for(request.user, customer_no)
    if not customer_queryset_for(request.user, for_write=True).filter(pk=customer.pk).exists():
        raise PermissionDenied(_("You may view this customer but not change it."))
    form = CustomerForm(request.POST or None, actor=request.user, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.payload()
            change_guard(action="customer_update", actor=request.user, customer=customer, data=data)
            services.customer_update(actor=request.user, customer=customer, data=data)
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        except ChangeHeld as held:
            messages.warning(request, held.message)
            return redirect("customer-detail", customer_no=customer.customer_no)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customer-detail", customer_no=customer.customer_no)
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request, "customers/form.html", {"form": form, "customer": customer}, status=status
    )
