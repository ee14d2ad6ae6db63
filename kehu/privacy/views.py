"""Privacy pages (issue 19): the request register and a request's page (what is held about the
person, its export, erasure), retention settings, and the consents section of a customer's page."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kehu.accounts.policy import can_change
from kehu.accounts.requests import AuthedRequest
from kehu.contacts.selectors import contact_get_for
from kehu.core.errors import Conflict, ValidationFailed
from kehu.customers.selectors import customer_get_for

from . import services
from .models import Consent, RetentionPolicy, RetentionRun, SubjectRequest
from .selectors import (
    assert_privacy_role,
    consent_get,
    consents_for_customer,
    lead_get,
    person_find,
    retention_policies,
    retention_policy_get,
    subject_request_get,
    subject_requests,
)

FIELD_LABELS = {
    "kind": _("kind"),
    "phone": _("phone"),
    "email": _("email"),
    "name": _("name"),
    "purpose": _("purpose"),
    "channel": _("channel"),
    "basis": _("basis stated"),
    "lawful_basis": _("lawful basis"),
    "wording_version": _("wording version"),
    "days": _("after days"),
    "request": _("request"),
    "confirm": _("confirm"),
}


def _flash(request: AuthedRequest, exc: ValidationFailed) -> None:
    for line in exc.lines({k: str(v) for k, v in FIELD_LABELS.items()}):
        messages.error(request, line)


# --- The register ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def request_list(request: AuthedRequest) -> HttpResponse:
    assert_privacy_role(request.user)
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("kind", "phone", "email", "name", "note")}
        try:
            row = services.subject_request_create(actor=request.user, data=form)
        except ValidationFailed as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("Request registered."))
            return redirect("privacy-request", request_id=row.pk)
    status = request.GET.get("status", "")
    return render(
        request,
        "privacy/request_list.html",
        {
            "rows": subject_requests(status=status)[:500],
            "status": status,
            "statuses": SubjectRequest.Status.choices,
            "kinds": SubjectRequest.Kind.choices,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request: AuthedRequest, request_id: int) -> HttpResponse:
    assert_privacy_role(request.user)
    row = subject_request_get(request_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "erase":
                held = person_find(phone=row.phone, email=row.email, name=row.name)
                if request.POST.get("confirm") != "yes":
                    raise ValidationFailed(
                        {"confirm": [_("Tick the box: erasure cannot be undone.")]}
                    )
                counts = services.person_erase(actor=request.user, request=row, held=held)
                messages.success(
                    request,
                    _(
                        "Erased: %(contacts)s contacts, %(customers)s customers, %(leads)s web-form leads, %(entries)s change-log entries."
                    )
                    % {
                        "contacts": counts["contacts"],
                        "customers": counts["customers"],
                        "leads": counts["leads"],
                        "entries": counts["audit_entries"],
                    },
                )
            else:
                services.subject_request_update(
                    actor=request.user,
                    request=row,
                    data={"status": request.POST.get("status"), "note": request.POST.get("note")},
                )
                messages.success(request, _("Request saved."))
        except ValidationFailed as exc:
            _flash(request, exc)
        return redirect("privacy-request", request_id=row.pk)
    held = person_find(phone=row.phone, email=row.email, name=row.name)
    is_open = row.status == SubjectRequest.Status.OPEN
    return render(
        request,
        "privacy/request_detail.html",
        {
            "row": row,
            "held": held,
            "counts": held.counts(),
            "statuses": SubjectRequest.Status.choices,
            "may_erase": is_open and row.kind == SubjectRequest.Kind.ERASURE and not held.is_empty,
        },
    )


@login_required
def request_export(request: AuthedRequest, request_id: int) -> HttpResponse:
    """Everything held about the person as JSON (a download); audited."""
    assert_privacy_role(request.user)
    row = subject_request_get(request_id)
    held = person_find(phone=row.phone, email=row.email, name=row.name)
    data = services.person_export(actor=request.user, request=row, held=held)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="personal-data-{row.pk}.json"'
    return response


# --- Retention ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def retention_settings(request: AuthedRequest) -> HttpResponse:
    assert_privacy_role(request.user)
    if request.method == "POST":
        policy = retention_policy_get(int(request.POST.get("policy_id") or 0))
        action = request.POST.get("action", "save")
        try:
            if action in ("preview", "run"):
                run = services.retention_run(
                    policy=policy, dry_run=action == "preview", actor=request.user
                )
                text = (
                    _("Preview of “%(name)s”: %(matched)s would be processed.")
                    if run.is_dry_run
                    else _("“%(name)s” ran: %(processed)s of %(matched)s processed.")
                )
                messages.success(
                    request,
                    text
                    % {"name": policy.name, "matched": run.matched, "processed": run.processed},
                )
            else:
                services.retention_policy_save(
                    actor=request.user,
                    policy=policy,
                    data={
                        "days": request.POST.get("days"),
                        "is_enabled": request.POST.get("is_enabled") == "on",
                    },
                )
                messages.success(request, _("Policy saved."))
        except ValidationFailed as exc:
            _flash(request, exc)
        return redirect("retention-settings")
    rows = [
        {"policy": policy, "runs": list(policy.runs.select_related("actor")[:5])}
        for policy in retention_policies()
    ]
    return render(request, "privacy/retention.html", {"rows": rows, "labels": _retention_labels()})


def _retention_labels() -> dict[str, str]:
    """The page's labels: the fields' verbose names (lower case, as Django names fields) with a
    capital first letter, as Django's own forms and admin show them (zh-hans: unchanged)."""

    def label(model: type[Model], name: str) -> str:
        return capfirst(str(getattr(model._meta.get_field(name), "verbose_name", name)))

    return {
        **{name: label(RetentionPolicy, name) for name in ("days", "is_enabled", "last_run_at")},
        **{
            name: label(RetentionRun, name)
            for name in ("started_at", "is_dry_run", "matched", "processed")
        },
        "actor": capfirst(str(_("by"))),
        "nightly": capfirst(str(_("nightly"))),
        "yes": capfirst(str(_("yes"))),
        "no": capfirst(str(_("no"))),
    }


# --- Consents on the customer's page -----------------------------------------------------------


def _consents_section(request: AuthedRequest, customer_no: str) -> HttpResponse:
    customer = customer_get_for(request.user, customer_no)
    return render(
        request,
        "privacy/_consents.html",
        {
            "customer": customer,
            "rows": consents_for_customer(customer),
            "may_record": can_change(request.user, customer),
            "purposes": Consent.Purpose.choices,
            "channels": Consent.Channel.choices,
            "lawful_bases": Consent._meta.get_field("lawful_basis").choices,
            "contacts": list(customer.contacts.all()),
        },
    )


@login_required
def customer_consents(request: AuthedRequest, customer_no: str) -> HttpResponse:
    """The consents section of the customer-360 page (loaded by htmx)."""
    return _consents_section(request, customer_no)


@login_required
def customer_consent_record(request: AuthedRequest, customer_no: str) -> HttpResponse:
    """POST: record a consent; answers with the section (GET: the section, for who may record)."""
    customer = customer_get_for(request.user, customer_no, for_change=True)
    if request.method != "POST":
        return _consents_section(request, customer_no)
    contact_id = request.POST.get("contact_id") or ""
    contact = contact_get_for(request.user, int(contact_id)) if contact_id.isdigit() else None
    try:
        services.consent_record(
            actor=request.user,
            customer=customer,
            contact=contact,
            purpose=request.POST.get("purpose", ""),
            channel=request.POST.get("channel", ""),
            basis=request.POST.get("basis", ""),
            wording_version=request.POST.get("wording_version", ""),
            lawful_basis=request.POST.get("lawful_basis") or "consent",
        )
    except ValidationFailed as exc:
        response = _consents_section(request, customer_no)
        lines = exc.lines({k: str(v) for k, v in FIELD_LABELS.items()})
        return HttpResponse(
            response.content.replace(
                b"<!--errors-->",
                "".join(f'<p class="error">{line}</p>' for line in lines).encode(),
            ),
            status=422,
        )
    return _consents_section(request, customer_no)


@login_required
def customer_consent_withdraw(request: AuthedRequest, customer_no: str) -> HttpResponse:
    """POST: withdraw a consent; answers with the section (GET: the section)."""
    customer = customer_get_for(request.user, customer_no, for_change=True)
    if request.method != "POST":
        return _consents_section(request, customer_no)
    consent_id = request.POST.get("consent_id", "")
    lead_id = request.POST.get("lead_id", "")
    try:
        if consent_id.isdigit():
            consent = consent_get(int(consent_id))
            if consent.customer_id == customer.pk:
                services.consent_withdraw(actor=request.user, consent=consent)
        elif lead_id.isdigit():
            lead = lead_get(int(lead_id))
            if lead.customer_id == customer.pk:
                services.consent_withdraw_lead(
                    actor=request.user, lead=lead, purpose=request.POST.get("purpose", "")
                )
    except (Conflict, ValidationFailed):
        pass  # withdrawn already: the section shows it so
    return _consents_section(request, customer_no)
