"""Customer list, create and edit pages: thin edges over the selectors and services."""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts.models import Role, User
from kehu.accounts.policy import READ_ALL, can_create_customer
from kehu.accounts.requests import AuthedRequest
from kehu.audit.conflicts import conflict_explain, conflict_time
from kehu.core.api_utils import capped_count_arms
from kehu.core.edit_conflicts import conflict_merge, form_base
from kehu.core.errors import (
    ChangeHeld,
    DomainError,
    PermissionDenied,
    ProbableDuplicate,
    ValidationFailed,
    VersionConflict,
)
from kehu.core.pagination import keyset_page

from . import services
from .columns import NAME_SORT, Column, chosen_columns, sort_link
from .filter_forms import CustomerFilterForm
from .forms import BLANK, CustomerForm, region_options, sub_industry_choices_of
from .models import Customer
from .segment_filter import segment_filter_for
from .selectors import (
    customer_filter,
    customer_get_for,
    customer_list_scope,
    customer_order_known,
    customer_ordered,
    saved_view_get_for,
    saved_views_for,
)
from .services import CUSTOMER_AUDIT_FIELDS

LIST_RELATED = ("industry", "sub_industry", "owner", "team", "source", "value")


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


def _bulk_owners(user: Any) -> list[tuple[str, str]]:
    """Whom the list's bulk "assign" offers: a rep themself; a manager their team; an admin
    every active rep and manager (the write path checks again)."""
    choices = [(v, label) for v, label in owner_filter_choices(user) if v not in ("", "me")]
    if not any(v == str(user.pk) for v, _l in choices) and user.role in (Role.REP, Role.MANAGER):
        choices.insert(0, (str(user.pk), user.label))
    return choices


def tag_names() -> list[str]:
    """Known tag names for the bulk form's suggestions (the tags app sits above this one)."""
    tag = apps.get_model("tags", "Tag")
    return list(tag._default_manager.order_by("name").values_list("name", flat=True)[:500])


MAX_BACK = 50  # pages of "previous" kept in the URL


def _headers(
    params: dict[str, str], order_key: str, columns: dict[str, Column]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The name header's sort link, and per chosen column its label, sort link and custom
    field (a custom field's column)."""
    headers = []
    for column in chosen_columns(params.get("cols"), columns):
        link = sort_link(params, column.sort, order_key) if column.sort else {}
        headers.append({"key": column.key, "label": column.label, "field": column.field, **link})
    return sort_link(params, NAME_SORT, order_key), headers


@login_required
def customer_list(request: AuthedRequest) -> HttpResponse:
    form = CustomerFilterForm(request.GET, owners=owner_filter_choices(request.user))
    params = form.params()
    filter_errors: dict[str, list[str]] = {}
    segment = None  # ?segment=<id>: a saved segment's customers (kehu.segments), as a list
    if request.GET.get("segment", "").strip():
        params["segment"] = request.GET["segment"].strip()
        try:
            segment = segment_filter_for(request.user, params["segment"])
        except ValidationFailed:
            pass  # customer_filter names it below
    page = None
    order_key = params.get("order") or "newest"
    total: dict[str, Any] = {}
    try:
        if not customer_order_known(order_key):
            raise ValidationFailed({"order": [_("Unknown sort order.")]})
        scoped, arms = customer_list_scope(request.user)
        filtered = customer_filter(Customer.objects.all(), {**params, "_user": request.user})
        customers, order = customer_ordered(
            (scoped & filtered).select_related(*LIST_RELATED), order_key
        )
        page = keyset_page(
            customers,
            order=order,
            cursor=request.GET.get("cursor"),
            limit=settings.KEHU_PAGE_SIZE,
            arms=arms,
        )
        total = capped_count_arms(filtered, arms)
    except ValidationFailed as exc:
        filter_errors = exc.errors
        for key, errors in exc.errors.items():
            for error in errors:
                form.add_error(key if key in form.fields else None, error)
    base_query = urlencode(params)
    name_sort, columns = _headers(params, order_key, form.columns)
    # Previous: the cursors of the pages before this one ride along in `back` (keyset pages
    # have no way back of their own), so "previous" is exact and needs nothing stored.
    cursor = request.GET.get("cursor", "")
    back = [c for c in request.GET.get("back", "").split(",") if c][-MAX_BACK:]
    next_url = previous_url = ""
    if page is not None and page.next_cursor:
        trail = ",".join([*back, cursor]) if cursor else ""
        next_url = "?" + urlencode(
            {**params, "cursor": page.next_cursor, **({"back": trail} if trail else {})}
        )
    if cursor:
        earlier = {"back": ",".join(back[:-1])} if len(back) > 1 else {}
        previous_url = "?" + urlencode(
            {**params, **({"cursor": back[-1], **earlier} if back else {})}
        )
    context = {
        "form": form,
        "page": page,
        "customers": page.items if page else [],
        "filter_errors": filter_errors,
        "next_url": next_url,
        "previous_url": previous_url,
        "first_url": "?" + base_query if base_query else "?",
        "is_later_page": bool(request.GET.get("cursor")),
        "is_filtered": bool({k: v for k, v in params.items() if k not in ("order", "cols")}),
        # The filter panel opens for filters set in it (not for a search, a sort or columns).
        "has_filters": bool({k for k in params if k not in ("q", "order", "cols")}),
        "can_create": can_create_customer(request.user),
        "is_admin": request.user.role == Role.ADMIN,
        "name_sort": name_sort,
        "bulk_owners": _bulk_owners(request.user),
        "bulk_statuses": Customer.Status.choices,
        "tag_names": tag_names(),
        "saved_views": list(saved_views_for(request.user)),
        "current_view": request.GET.get("view", ""),
        "list_query": urlencode(params),
        "columns": columns,  # the chosen ones, custom fields' among them (issue 15)
        "segment": segment,
        # The list's filters without the segment: what "save as a segment" starts from.
        "segment_query": urlencode(
            {k: v for k, v in params.items() if k not in ("segment", "order", "cols")}
        ),
        **total,
    }
    template = "customers/partials/_rows.html" if is_htmx(request) else "customers/list.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def _save(
    request: AuthedRequest, form: CustomerForm, customer: Customer | None
) -> tuple[HttpResponse | None, ProbableDuplicate | None]:
    """Run the service for a valid form. Every domain error lands on the form (a field's message,
    the duplicate panel, "sent for approval"); never a 500."""
    data = form.payload()
    data["allow_duplicate"] = form.cleaned_data.get("allow_duplicate", False)
    if customer is not None:
        data["version"] = form.cleaned_data.get("version")
    try:
        if customer is None:
            saved = services.customer_create(actor=request.user, data=data)
        else:
            saved = services.customer_update(actor=request.user, customer=customer, data=data)
    except VersionConflict as conflict:
        assert customer is not None
        return _conflict_page(request, form, customer, conflict), None
    except ValidationFailed as exc:
        form.add_service_errors(exc)
    except ProbableDuplicate as exc:
        return None, exc
    except ChangeHeld as held:
        messages.warning(request, held.message)
        if customer is None:
            return redirect("customer-list"), None
        return redirect("customer-detail", customer_no=customer.customer_no), None
    except DomainError as exc:  # PermissionDenied (a finance field), a conflict, ...
        form.add_error(None, exc.message)
    else:
        if customer is None:
            messages.success(
                request, _("Customer %(number)s created.") % {"number": saved.customer_no}
            )
            if saved.missing_fields:
                messages.warning(
                    request,
                    _("This customer is marked incomplete: please fill in the missing fields."),
                )
        else:
            messages.success(request, _("Changes saved."))
        return redirect("customer-detail", customer_no=saved.customer_no), None
    return None, None


def _conflict_page(
    request: AuthedRequest, form: CustomerForm, customer: Customer, conflict: VersionConflict
) -> HttpResponse:
    """Someone saved the customer since the form was opened: show what they changed (their
    value against yours) and the form again, merged onto the current version (409)."""
    fresh = customer_get_for(request.user, customer.customer_no, for_change=True)
    current = CustomerForm.initial_for(fresh)
    merged, clashes = conflict_merge(
        form, posted=request.POST, current=current, names=CustomerForm.SERVICE_FIELDS
    )
    audited = [Customer._meta.get_field(name).name for name in CUSTOMER_AUDIT_FIELDS]
    conflict_explain(conflict, yours={}, current={}, fields=audited)
    initial = {**request.POST.dict(), **merged, "version": fresh.version}
    initial["base"] = form_base(current, CustomerForm.SERVICE_FIELDS)
    refilled = CustomerForm(initial=initial, actor=request.user, customer=fresh)
    context = {
        "form": refilled,
        "customer": fresh,
        "duplicate": None,
        "conflict": conflict,
        "conflict_time": conflict_time(conflict),
        "clashes": clashes,
        "discard_url": reverse("customer-edit", args=[fresh.customer_no]),
    }
    return render(request, "customers/form.html", context, status=409)


def _form_page(
    request: AuthedRequest,
    form: CustomerForm,
    customer: Customer | None,
    duplicate: ProbableDuplicate | None,
) -> HttpResponse:
    status = 409 if duplicate else 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "customers/form.html",
        {"form": form, "customer": customer, "duplicate": duplicate},
        status=status,
    )


# Without JavaScript, the form's "show the cities/districts" button posts the form back with
# this name: the page comes back with the region selects filled in, nothing saved.
REGION_REFRESH = "region_refresh"


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request: AuthedRequest) -> HttpResponse:
    if not can_create_customer(request.user):
        raise PermissionDenied(_("Your role may not create customers."))
    form = CustomerForm(request.POST or None, actor=request.user)
    if REGION_REFRESH in request.POST:
        form = CustomerForm(initial=request.POST.dict(), actor=request.user)
    duplicate = None
    if form.is_bound and form.is_valid():
        response, duplicate = _save(request, form, None)
        if response is not None:
            return response
    return _form_page(request, form, None, duplicate)


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: AuthedRequest, customer_no: str) -> HttpResponse:
    """The whole form, or with ?only=missing ("去补全") just the fields the record misses (the
    others ride along unchanged as hidden inputs)."""
    customer = customer_get_for(request.user, customer_no, for_change=True)
    complete = request.GET.get("only") == "missing" and bool(customer.missing_fields)
    form = CustomerForm(
        request.POST or None, actor=request.user, customer=customer, complete=complete
    )
    if REGION_REFRESH in request.POST:
        form = CustomerForm(
            initial=request.POST.dict(), actor=request.user, customer=customer, complete=complete
        )
    duplicate = None
    if form.is_bound and form.is_valid():
        response, duplicate = _save(request, form, customer)
        if response is not None:
            return response
    if complete and form.shown:
        status = 409 if duplicate else 422 if form.is_bound and form.errors else 200
        context = {"form": form, "customer": customer, "duplicate": duplicate}
        return render(request, "customers/complete.html", context, status=status)
    return _form_page(request, form, customer, duplicate)


@login_required
def sub_industry_options(request: AuthedRequest) -> HttpResponse:
    """The <option>s of the sub-industry select for the chosen industry (htmx, the form)."""
    groups: list[tuple[str, list[tuple[str, Any]]]] = []  # ("" = no optgroup, options)
    for value, label in sub_industry_choices_of(request.GET.get("industry", "").strip()):
        if isinstance(label, list):
            groups.append((value, label))
        else:
            groups.append(("", [(value, label)]))
    return render(request, "customers/partials/_options.html", {"groups": groups})


# --- Saved views of the list


@login_required
@require_POST
def saved_view_save(request: AuthedRequest) -> HttpResponse:
    """Keep the list as it is now (the `query` the page carries) under a name."""
    query = QueryDict(request.POST.get("query", ""))
    form = CustomerFilterForm(query, owners=owner_filter_choices(request.user))
    try:
        view = services.saved_view_save(
            actor=request.user,
            name=request.POST.get("name", ""),
            params=form.params(),
            shared=request.POST.get("shared") in ("1", "on", "true"),
        )
    except ValidationFailed as exc:
        labels = {**SAVE_LABELS, **{name: f.label for name, f in form.fields.items()}}
        for line in exc.lines(labels):
            messages.error(request, line)
        return redirect(reverse("customer-list") + ("?" + query.urlencode() if query else ""))
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"{reverse('customer-list')}?{view.query}&view={view.pk}")


@login_required
@require_POST
def saved_view_delete(request: AuthedRequest, view_id: int) -> HttpResponse:
    view = saved_view_get_for(request.user, view_id)
    services.saved_view_delete(actor=request.user, view=view)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("customer-list")


SAVE_LABELS = {"name": _lazy("name"), "shared": _lazy("Share with my team")}
REGION_PARAMS = ("parent", "region", "province", "city")  # a picker's select sends its own name
RESET_ID = re.compile(r"id_[a-z_]{1,40}")


@login_required
def region_select_options(request: AuthedRequest) -> HttpResponse:
    """The <option>s of a region select for the level above it (htmx, the customer form and the
    list's filter): ?parent=<code>, or the changed select's own name and value (province=440000).
    No parameter: the provinces; a blank or unknown one: nothing to choose. ?reset=<id> also
    empties the select below the next one (a new province clears the district)."""
    given = [key for key in REGION_PARAMS if key in request.GET]
    parent = ""
    if given:
        values = [v.strip() for v in request.GET.getlist(given[0]) if v.strip()]
        parent = values[-1] if values else ""
    options = region_options(parent) if parent or not given else list(BLANK)
    reset = request.GET.get("reset", "")
    context = {
        "groups": [("", options)],
        "reset": reset if RESET_ID.fullmatch(reset) else "",
    }
    return render(request, "customers/partials/_region_options.html", context)
