"""Capture pages: the public lead form, business-card and chat capture, capture rules.

Thin edges over the same services as /api/v1 (leads.lead_submit, services.card_save,
services.chat_draft/chat_commit); the services check and audit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kehu.accounts.models import Role
from kehu.accounts.policy import can_create_customer, can_log_interaction
from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import DomainError, PermissionDenied, ValidationFailed
from kehu.core.middleware import client_ip
from kehu.customers.consent_gate import ConsentBasis, consent_basis_context
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get_for
from kehu.review.models import ReviewRule

from . import services
from .api import MAX_CARD_BYTES, lead_rate_limited
from .cards import read_card
from .leads import consent_purpose, lead_submit

LEAD_FIELDS = ("name", "company", "email", "mobile", "province", "industry", "message")
CARD_FIELDS = ("name", "title", "company", "mobile", "phone", "email", "address", "website")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _errors_by_field(exc: ValidationFailed) -> dict[str, list[str]]:
    """Service errors keyed by the page's field name ('decision_maker.mobile' -> 'mobile')."""
    errors: dict[str, list[str]] = {}
    for key, msgs in exc.errors.items():
        errors.setdefault(key.rsplit(".", 1)[-1], []).extend(msgs)
    return errors


# --- Public web-form lead (embeddable)


@csrf_exempt  # anonymous and cookie-free like POST /api/v1/leads: no session to ride on
@xframe_options_exempt  # meant for an <iframe> on the company's own website
@require_http_methods(["GET", "POST"])
def lead_form(request: HttpRequest) -> HttpResponse:
    """The embeddable lead form; rate limit, honeypot and validation as the API."""
    context: dict[str, Any] = {
        "purpose": consent_purpose(),
        "values": {},
        "errors": {},
        "sent": request.GET.get("sent") == "1",
    }
    if request.method == "POST":
        data = {key: request.POST.get(key, "").strip() for key in LEAD_FIELDS}
        data["consent"] = request.POST.get("consent", "")
        context["values"] = data
        ip = client_ip(request)
        if lead_rate_limited(ip):
            context["errors"] = {"form": [_("Too many submissions; try again later.")]}
            return render(request, "capture/lead_form.html", context, status=429)
        if request.POST.get("homepage"):
            return redirect(f"{reverse('lead-form')}?sent=1")  # a bot: keep nothing
        try:
            lead_submit(data=data, ip=ip)
        except ValidationFailed as exc:
            context["errors"] = exc.errors
            return render(request, "capture/lead_form.html", context, status=422)
        return redirect(f"{reverse('lead-form')}?sent=1")
    return render(request, "capture/lead_form.html", context)


# --- Business card (reps)


def _writable_customer(user: Any, customer_no: str) -> Customer:
    """404 when out of sight, 403 when visible but not changeable (as the API)."""
    return customer_get_for(user, customer_no, for_change=True)


@login_required
@require_http_methods(["GET", "POST"])
def card_capture(request: AuthedRequest) -> HttpResponse:
    """Upload or photograph a card -> OCR -> confirm the prefilled form -> saved."""
    if not can_create_customer(request.user):
        raise PermissionDenied(_("Your role may not create customers."))
    context: dict[str, Any] = {
        "fields": None,
        "errors": {},
        "customer_no": "",
        **consent_basis_context(None),
    }
    if request.method == "POST" and request.POST.get("step") == "save":
        fields = {key: request.POST.get(key, "").strip() for key in CARD_FIELDS}
        customer_no = request.POST.get("customer_no", "").strip()
        context.update(fields=fields, customer_no=customer_no)
        context["consent_choice"] = ConsentBasis(
            request.POST.get("consent_lawful_basis", ""),
            tuple(request.POST.getlist("consent_purposes")),
            request.POST.get("consent_basis", ""),
            request.POST.get("consent_wording_version", ""),
        )  # shown again as entered
        target = _writable_customer(request.user, customer_no) if customer_no else None
        try:
            customer, _contact = services.card_save(
                actor=request.user,
                fields=fields,
                customer=target,
                consent_purposes=request.POST.getlist("consent_purposes"),
                consent_basis=request.POST.get("consent_basis", ""),
                consent_lawful_basis=request.POST.get("consent_lawful_basis", ""),
                consent_wording_version=request.POST.get("consent_wording_version", ""),
            )
        except ValidationFailed as exc:
            context["errors"] = _errors_by_field(exc)
        except DomainError as exc:
            context["errors"] = {"form": [exc.message]}
        else:
            messages.success(request, _("Business card saved."))
            return redirect("customer-detail", customer_no=customer.customer_no)
        return render(request, "capture/card.html", context, status=422)
    if request.method == "POST":
        image = request.FILES.get("image")
        if image is None:
            context["errors"] = {"image": [_("Choose or take a photo of the card.")]}
        elif image.size and image.size > MAX_CARD_BYTES:
            context["errors"] = {"image": [_("The image is larger than 10 MB.")]}
        else:
            try:
                context["fields"] = read_card(image.read()).as_json()
            except ValidationFailed as exc:  # not an image, or too many pixels (named)
                context["errors"] = exc.errors
            except (OSError, ValueError):
                context["errors"] = {"image": [_("Cannot read this image.")]}
        context["customer_no"] = request.POST.get("customer_no", "").strip()
        status = 422 if context["errors"] else 200
        return render(request, "capture/card.html", context, status=status)
    context["customer_no"] = request.GET.get("customer_no", "")
    return render(request, "capture/card.html", context)


# --- Chat capture (on a customer)


@login_required
@require_http_methods(["GET", "POST"])
def chat_capture(request: AuthedRequest, customer_no: str) -> HttpResponse:
    """Paste a message; htmx previews the draft card; "save" commits it (as the API)."""
    customer = _writable_customer(request.user, customer_no)
    if not can_log_interaction(request.user):
        raise PermissionDenied(_("Your role may not log interactions."))
    text = request.POST.get("text", "")
    context: dict[str, Any] = {"customer": customer, "text": text, "draft": None, "errors": {}}
    if request.method == "POST":
        if not text.strip():
            context["errors"] = {"text": [_("Paste the message.")]}
        else:
            draft = services.chat_draft(text)
            context["draft"] = draft.as_json()
            if request.POST.get("commit") == "1":
                try:
                    opportunity, _interaction = services.chat_commit(
                        actor=request.user, customer=customer, text=text, draft=draft
                    )
                except ValidationFailed as exc:
                    context["errors"] = exc.errors
                except DomainError as exc:
                    context["errors"] = {"form": [exc.message]}
                else:
                    messages.success(
                        request, _("Opportunity “%(title)s” saved.") % {"title": opportunity.title}
                    )
                    url = reverse("customer-detail", kwargs={"customer_no": customer_no})
                    if _is_htmx(request):
                        return HttpResponse(status=204, headers={"HX-Redirect": url})
                    return redirect(url)
        status = 422 if context["errors"] else 200
        if _is_htmx(request):
            return render(request, "capture/partials/_chat_draft.html", context, status=status)
        return render(request, "capture/chat.html", context, status=status)
    return render(request, "capture/chat.html", context)


# --- Review queue (managers, admins)


# --- Capture rules (administrators)


@login_required
@require_http_methods(["GET", "POST"])
def capture_rules(request: AuthedRequest) -> HttpResponse:
    """Lead assignment rules, the e-mail domain directory, chat tag rules, anomaly thresholds."""
    if request.user.role != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator may change capture rules."))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        try:
            services.capture_rule_save(actor=request.user, kind=kind, data=request.POST)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Saved."))
            return redirect("capture-rules")
    context = services.capture_rules_context()
    context["errors"] = errors
    context["anomaly_kinds"] = ReviewRule.Kind.choices
    return render(request, "capture/rules.html", context, status=422 if errors else 200)
