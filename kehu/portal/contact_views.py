"""Editing a contact from the 360 page: its own form (on a phone too), "left the company" with
a date, and undoing it. Every change goes through customers.services.contact_update (guards,
review holds, audit, search)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts.policy import can_see_pii
from kehu.accounts.requests import AuthedRequest
from kehu.audit.conflicts import conflict_explain, conflict_time
from kehu.core.edit_conflicts import conflict_merge, form_base
from kehu.core.errors import ChangeHeld, PermissionDenied, ValidationFailed, VersionConflict
from kehu.core.validators import format_phone, mask_email, mask_identifier, mask_phone
from kehu.customers.models import Contact
from kehu.customers.selectors import contact_get_for, customer_queryset_for
from kehu.customers.services import contact_update

from .forms import ContactEditForm

# Fields a user who sees them masked edits blind: left empty, they keep their value.
_PII = {"mobile": "phone", "landline": "phone", "email": "email", "wechat": "id"}


def _writable_contact(request: AuthedRequest, contact_id: int) -> Contact:
    contact = contact_get_for(request.user, contact_id)
    if (
        not customer_queryset_for(request.user, for_write=True)
        .filter(pk=contact.customer_id)
        .exists()
    ):
        raise PermissionDenied(_("You may view this customer but not change it."))
    return contact


def _back(contact: Contact) -> str:
    url = reverse("customer-detail", kwargs={"customer_no": contact.customer.customer_no})
    return f"{url}#contact-{contact.pk}"


def _masked(kind: str, value: str) -> str:
    if kind == "phone":
        return mask_phone(value)
    return mask_email(value) if kind == "email" else mask_identifier(value)


def _initial(contact: Contact, sees_pii: bool) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: getattr(contact, name)
        for name in ContactEditForm.base_fields
        if name not in ("left_on", "base")
    }
    for name, kind in _PII.items():
        value = getattr(contact, name) or ""
        initial[name] = (format_phone(value) if kind == "phone" else value) if sees_pii else ""
    return initial


def _apply(request: AuthedRequest, contact: Contact, data: dict[str, Any], done: str) -> None:
    """Run the update with a message for the outcome (saved, or held for review); a
    ValidationFailed goes to the caller."""
    try:
        contact_update(actor=request.user, contact=contact, data=data)
    except ChangeHeld as exc:
        messages.info(request, str(exc))
    else:
        messages.success(request, done)


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: AuthedRequest, contact_id: int) -> HttpResponse:
    contact = _writable_contact(request, contact_id)
    sees_pii = can_see_pii(request.user, contact.customer)
    placeholders = (
        {}
        if sees_pii
        else {n: _masked(k, getattr(contact, n)) for n, k in _PII.items() if getattr(contact, n)}
    )
    if request.method == "POST":
        form = ContactEditForm(
            request.POST, placeholders=placeholders, custom_values=contact.custom_fields
        )
        if form.is_valid():
            data = form.payload()
            for name in placeholders:  # left empty by someone who sees it masked: unchanged
                if not data.get(name):
                    data.pop(name, None)
            try:
                _apply(
                    request, contact, data, _("Contact %(name)s saved.") % {"name": data["name"]}
                )
            except VersionConflict as conflict:
                return _conflict_page(request, form, contact, conflict, placeholders)
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            else:
                return redirect(_back(contact))
        status = 422
    else:
        form = ContactEditForm(
            initial=_initial(contact, sees_pii),
            placeholders=placeholders,
            custom_values=contact.custom_fields,
        )
        form.initial["base"] = form_base(form.initial, form.compared)
        status = 200
    context = {"contact": contact, "customer": contact.customer, "form": form}
    return render(request, "portal/contact_edit.html", context, status=status)


def _conflict_page(
    request: AuthedRequest,
    form: ContactEditForm,
    contact: Contact,
    conflict: VersionConflict,
    placeholders: dict[str, str],
) -> HttpResponse:
    """Someone saved the contact since the form was opened: what they changed (their value
    against yours) and the form again, merged onto the current version (409)."""
    fresh = _writable_contact(request, contact.pk)
    current = _initial(fresh, can_see_pii(request.user, fresh.customer))
    merged, clashes = conflict_merge(
        form, posted=request.POST, current=current, names=form.compared
    )
    conflict_explain(conflict, yours={}, current={}, fields=form.compared)
    initial = {**request.POST.dict(), **merged, "version": fresh.version}
    initial["base"] = form_base(current, form.compared)
    refilled = ContactEditForm(
        initial=initial, placeholders=placeholders, custom_values=fresh.custom_fields
    )
    context = {
        "contact": fresh,
        "customer": fresh.customer,
        "form": refilled,
        "conflict": conflict,
        "conflict_time": conflict_time(conflict),
        "clashes": clashes,
        "discard_url": reverse("contact-edit", args=[fresh.pk]),
    }
    return render(request, "portal/contact_edit.html", context, status=409)


def _set_and_return(
    request: AuthedRequest, contact: Contact, data: dict[str, Any], done: str
) -> HttpResponse:
    """A one-button change from the 360 page: refusals as messages, back to the contact."""
    try:
        _apply(request, contact, data, done)
    except ValidationFailed as exc:
        for errors in exc.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(_back(contact))


@login_required
@require_POST
def contact_mark_left(request: AuthedRequest, contact_id: int) -> HttpResponse:
    """Left the company, on a date (today unless given; not in the future)."""
    contact = _writable_contact(request, contact_id)
    left_on = (request.POST.get("left_on") or "").strip() or timezone.localdate().isoformat()
    done = _("%(name)s is marked as having left the company.") % {"name": contact.name}
    return _set_and_return(request, contact, {"has_left": True, "left_on": left_on}, done)


@login_required
@require_POST
def contact_rejoin(request: AuthedRequest, contact_id: int) -> HttpResponse:
    """Undo "left the company" (marked by mistake, or the person came back)."""
    contact = _writable_contact(request, contact_id)
    done = _("%(name)s is with the company again.") % {"name": contact.name}
    return _set_and_return(request, contact, {"has_left": False, "left_on": None}, done)
