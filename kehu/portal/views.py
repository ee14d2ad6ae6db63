"""The customer-360 page and what is done from it: log an interaction, add or retire a contact.

Portal sits above customers, interactions and opportunities, so it may read all of them.
Every read starts from customer_get_for (out of scope is 404); each section is one query.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.accounts.policy import can_log_interaction, interaction_scope
from kehu.accounts.requests import AuthedRequest
from kehu.audit.models import AuditEntry, ReadEntry
from kehu.audit.services import read_record
from kehu.core.errors import NotFound, PermissionDenied, ValidationFailed
from kehu.core.pagination import keyset_page
from kehu.core.validators import format_phone
from kehu.customers import access
from kehu.customers.custom_fields import custom_field_rows, custom_fields_by_entity
from kehu.customers.masking import (
    PII_FIELDS,
    custom_values_shown,
    free_text_shown,
    mask_changes,
    sensitive_custom_names,
)
from kehu.customers.merged import customer_merged_into_for
from kehu.customers.models import Contact, Customer, CustomField
from kehu.customers.selectors import contact_get_for, customer_get_for, customer_queryset_for
from kehu.customers.services import contact_create
from kehu.customers.validators import FIELD_LABELS
from kehu.customers.views import is_htmx
from kehu.interactions.models import FollowUp
from kehu.interactions.selectors import followup_queryset_for
from kehu.interactions.services import interaction_log
from kehu.interactions.task_views import SNOOZES
from kehu.opportunities.models import LostReason, Opportunity
from kehu.opportunities.services import opportunity_create

from .forms import ContactForm, InteractionForm
from .history import history_rows
from .labels import stage_label

TIMELINE_SIZE = 20
SECTION_SIZE = 20
TIMELINE_RELATED = ("contact", "performed_by", "next_action_owner")


def _can_write(user: Any, customer: Customer) -> bool:
    return customer_queryset_for(user, for_write=True).filter(pk=customer.pk).exists()


def _can_log(user: Any, customer: Customer) -> bool:
    return (
        can_log_interaction(user)
        and interaction_scope(user, Customer.objects.filter(pk=customer.pk)).exists()
    )


def _can_write_and_log(user: Any, customer: Customer) -> tuple[bool, bool]:
    """_can_write and _can_log in one query (the 360 page asks both on every view). A role that
    may not log interactions asks only the first (for most such roles no query at all)."""
    if not can_log_interaction(user):
        return _can_write(user, customer), False
    one = Customer.objects.filter(pk=OuterRef("pk"))
    checks = {
        "can_edit": Exists(customer_queryset_for(user, for_write=True).filter(pk=OuterRef("pk"))),
        "can_log": Exists(interaction_scope(user, one)),
    }
    row = Customer.objects.filter(pk=customer.pk).order_by().values(**checks).first() or {}
    return bool(row.get("can_edit")), bool(row.get("can_log"))


def _timeline(customer: Customer, cursor: str | None = None) -> Any:
    return keyset_page(
        customer.interactions.select_related(*TIMELINE_RELATED),
        order="-occurred_at",
        cursor=cursor,
        limit=TIMELINE_SIZE,
    )


def _masked_entries(
    user: Any, customer: Customer, custom: dict[str, list[CustomField]]
) -> list[AuditEntry]:
    """The latest audit entries, phones, amounts and sensitive custom values masked as this
    user must see them (`custom`: the active custom fields, read once for the page)."""
    entries = list(AuditEntry.objects.filter(customer_id=customer.pk)[:SECTION_SIZE])
    sensitive = sensitive_custom_names([f for fields in custom.values() for f in fields])
    for entry in entries:
        entry.changes = mask_changes(user, customer, entry.changes, sensitive=sensitive)
        entry.target_label = free_text_shown(user, customer, entry.target_label)  # a task's title
    return entries


def _context(
    request: AuthedRequest,
    customer: Customer,
    *,
    interaction_form: InteractionForm | None = None,
    contact_form: ContactForm | None = None,
) -> dict[str, Any]:
    """Everything the 360 page shows: a fixed number of queries, however big the customer."""
    contacts = list(customer.contacts.all())
    can_edit, can_log = _can_write_and_log(request.user, customer)
    custom = custom_fields_by_entity()  # both kinds of record's custom fields: one query
    contact_fields = custom[CustomField.Entity.CONTACT]
    return {
        "customer": customer,
        "custom_facts": custom_field_rows(
            custom[CustomField.Entity.CUSTOMER],
            custom_values_shown(
                request.user, customer, custom[CustomField.Entity.CUSTOMER], customer.custom_fields
            ),
        ),
        "contact_custom_fields": contact_fields,
        "missing_labels": [FIELD_LABELS.get(n, n) for n in customer.missing_fields],
        "contacts": contacts,
        "timeline": _timeline(customer),
        "opportunities": list(customer.opportunities.select_related("owner")[:SECTION_SIZE]),
        "orders": list(customer.orders.prefetch_related("lines")[:SECTION_SIZE]),
        "events": list(customer.events.select_related("contact")[:SECTION_SIZE]),
        "history": history_rows(_masked_entries(request.user, customer, custom)),
        "status_changes": list(customer.status_changes.select_related("changed_by")[:SECTION_SIZE]),
        "can_edit": can_edit,
        "today": timezone.localdate(),
        "opportunity_stages": [(v, stage_label(v)) for v in Opportunity.Stage.values],
        "lost_reasons": list(LostReason.objects.filter(is_active=True)) if can_edit else [],
        "can_log": can_log,
        "tasks": list(
            followup_queryset_for(request.user)
            .filter(customer=customer, done_at__isnull=True)
            .order_by("due_date", "id")[:SECTION_SIZE]
        ),
        "task_kinds": FollowUp.Kind.choices,
        "snoozes": SNOOZES,
        "interaction_form": interaction_form
        or (InteractionForm(customer=customer, contacts=contacts) if can_log else None),
        "contact_form": contact_form or ContactForm(custom_fields=contact_fields),
    }


@login_required
def customer_detail(request: AuthedRequest, customer_no: str) -> HttpResponse:
    try:
        customer = customer_get_for(request.user, customer_no)
    except NotFound:  # a merged-away number leads to the customer it became
        survivor = customer_merged_into_for(request.user, customer_no)
        if survivor is None:
            raise
        messages.info(
            request,
            _("%(old)s was merged into %(new)s.")
            % {"old": customer_no.upper(), "new": survivor.customer_no},
        )
        return redirect("customer-detail", survivor.customer_no)
    read_record(actor=request.user, kind=ReadEntry.Kind.VIEW, target=customer)  # the query log
    return render(request, "portal/customer_detail.html", _context(request, customer))


@login_required
def interaction_list(request: AuthedRequest, customer_no: str) -> HttpResponse:
    """The next page of the timeline: items for htmx's "more", a plain page without JS."""
    customer = customer_get_for(request.user, customer_no)
    context = {"customer": customer, "timeline": _timeline(customer, request.GET.get("cursor"))}
    if is_htmx(request):
        return render(request, "portal/partials/_timeline_items.html", context)
    return render(request, "portal/interaction_list.html", context)


@login_required
@require_POST
def interaction_create(request: AuthedRequest, customer_no: str) -> HttpResponse:
    customer = customer_get_for(request.user, customer_no)
    if not _can_log(request.user, customer):
        raise PermissionDenied(_("You may not log interactions on this customer."))
    contacts = list(customer.contacts.all())
    form = InteractionForm(request.POST, customer=customer, contacts=contacts)
    if form.is_valid():
        try:
            interaction_log(actor=request.user, customer=customer, data=form.payload())
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            if is_htmx(request):
                fresh = InteractionForm(customer=customer, contacts=contacts)
                context = {"customer": customer, "timeline": _timeline(customer), "form": fresh}
                return render(request, "portal/partials/_interaction_saved.html", context)
            messages.success(request, _("Interaction recorded."))
            return redirect(_detail_url(customer) + "#timeline")
    if is_htmx(request):
        response = render(
            request,
            "portal/partials/_interaction_form.html",
            {"customer": customer, "form": form},
            status=422,
        )
        response["HX-Retarget"] = "#quick-interaction"
        response["HX-Reswap"] = "outerHTML"
        return response
    context = _context(request, customer, interaction_form=form)
    return render(request, "portal/customer_detail.html", context, status=422)


@login_required
@require_POST
def contact_add(request: AuthedRequest, customer_no: str) -> HttpResponse:
    customer = customer_get_for(request.user, customer_no)
    if not _can_write(request.user, customer):
        raise PermissionDenied(_("You may view this customer but not change it."))
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            contact = contact_create(actor=request.user, customer=customer, data=form.payload())
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Contact %(name)s added.") % {"name": contact.name})
            return redirect(_detail_url(customer) + "#contacts")
    context = _context(request, customer, contact_form=form)
    context["contact_form_open"] = True
    return render(request, "portal/customer_detail.html", context, status=422)


def _detail_url(customer: Customer) -> str:
    return reverse("customer-detail", kwargs={"customer_no": customer.customer_no})


def _revealed(request: AuthedRequest, obj: Customer | Contact) -> HttpResponse:
    """The whole value of one masked field, for the "reveal" button; audited by the service."""
    field = request.GET.get("field") or request.POST.get("field") or ""
    reason = request.POST.get("reason") or ""  # support's reason to call a won customer
    try:
        value = access.pii_reveal(actor=request.user, obj=obj, field=field, reason=reason)
    except ValidationFailed as exc:
        problems = exc.errors.get("reason") or [_("This field cannot be revealed.")]
        return HttpResponseBadRequest(" ".join(str(p) for p in problems))
    if PII_FIELDS[field] == "phone":
        number = value.split(";ext=")[0]
        return HttpResponse(
            format_html('<a class="tel revealed" href="tel:{}">{}</a>', number, format_phone(value))
        )
    return HttpResponse(format_html('<span class="revealed">{}</span>', value))


@login_required
@require_POST
def customer_reveal(request: AuthedRequest, customer_no: str) -> HttpResponse:
    return _revealed(request, customer_get_for(request.user, customer_no))


@login_required
@require_POST
def contact_reveal(request: AuthedRequest, contact_id: int) -> HttpResponse:
    return _revealed(request, contact_get_for(request.user, contact_id))


@login_required
@require_POST
def opportunity_add(request: AuthedRequest, customer_no: str) -> HttpResponse:
    """Add an opportunity from the 360 page; the service's rules decide. A wrong entry comes
    back on the page with what was typed and the errors, each named by its label."""
    customer = customer_get_for(request.user, customer_no)
    if not _can_write(request.user, customer):
        raise PermissionDenied(_("You may view this customer but not change it."))
    fields = ("title", "expected_amount", "stage", "expected_close_date", "lost_reason")
    data = {name: request.POST.get(name, "") for name in fields}
    try:
        opportunity = opportunity_create(
            actor=request.user, customer=customer, data=data, lost_reason_required=True
        )
    except ValidationFailed as exc:
        labels = {field.name: field.verbose_name for field in Opportunity._meta.fields}
        for line in exc.lines(labels):
            messages.error(request, line)
        context = _context(request, customer)
        context.update(opportunity_data=data, opportunity_errors=exc.errors)
        return render(request, "portal/customer_detail.html", context, status=422)
    messages.success(request, _("Opportunity %(title)s added.") % {"title": opportunity.title})
    return redirect(_detail_url(customer) + "#opportunities")
