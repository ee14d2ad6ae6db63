"""/settings/rules/ and /settings/webhooks/: the administrator's workflow pages (issue 16).
Thin pages over the services; the same rules as /api/v1/rules and /api/v1/webhooks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import ValidationFailed
from kehu.customers.forms import apply_service_errors

from .display import rule_rows
from .forms import RuleForm, WebhookForm
from .models import Rule, Webhook
from .services import rules as rule_services
from .services import webhooks as webhook_services

PARAM_ALIASES = {"params.days": "days", "params.hours": "hours", "params.to": "status_to"}


@login_required
@require_http_methods(["GET", "POST"])
def rule_list(request: AuthedRequest) -> HttpResponse:
    """Every rule (when it last fired, on what), and the form that adds one."""
    rule_services.assert_can_manage(request.user)
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = rule_services.rule_create(actor=request.user, data=form.payload())
        except ValidationFailed as exc:
            apply_service_errors(form, exc, PARAM_ALIASES)
        else:
            messages.success(request, _("Rule %(name)s added.") % {"name": rule.name})
            return redirect("rule-list")
    status = 422 if form.is_bound and form.errors else 200
    context = {"form": form, "rows": rule_rows(Rule.objects.order_by("id"))}
    return render(request, "workflow/rules.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: AuthedRequest, rule_id: int) -> HttpResponse:
    rule_services.assert_can_manage(request.user)
    rule = get_object_or_404(Rule, pk=rule_id)
    form = RuleForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            rule_services.rule_update(actor=request.user, rule=rule, data=form.payload())
        except ValidationFailed as exc:
            apply_service_errors(form, exc, PARAM_ALIASES)
        else:
            messages.success(request, _("Rule %(name)s saved.") % {"name": rule.name})
            return redirect("rule-list")
    status = 422 if form.is_bound and form.errors else 200
    firings = rule.firings.order_by("-id")[:50]
    context = {"form": form, "rule": rule, "firings": firings}
    return render(request, "workflow/rule_form.html", context, status=status)


@login_required
@require_POST
def rule_toggle(request: AuthedRequest, rule_id: int) -> HttpResponse:
    rule_services.assert_can_manage(request.user)
    rule = get_object_or_404(Rule, pk=rule_id)
    rule_services.rule_update(
        actor=request.user, rule=rule, data={"is_enabled": not rule.is_enabled}
    )
    return redirect("rule-list")


@login_required
@require_POST
def rule_delete(request: AuthedRequest, rule_id: int) -> HttpResponse:
    rule_services.assert_can_manage(request.user)
    rule = get_object_or_404(Rule, pk=rule_id)
    rule_services.rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("Rule %(name)s deleted.") % {"name": rule.name})
    return redirect("rule-list")


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request: AuthedRequest) -> HttpResponse:
    rule_services.assert_can_manage(request.user)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook = webhook_services.webhook_create(actor=request.user, data=form.payload())
        except ValidationFailed as exc:
            apply_service_errors(form, exc, {})
        else:
            messages.success(request, _("Webhook %(name)s added.") % {"name": webhook.name})
            return redirect("webhook-edit", webhook.pk)
    status = 422 if form.is_bound and form.errors else 200
    context = {"form": form, "webhooks": Webhook.objects.order_by("id")}
    return render(request, "workflow/webhooks.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request: AuthedRequest, webhook_id: int) -> HttpResponse:
    """A subscription: its settings, its secret, the "send test" button and its delivery log."""
    rule_services.assert_can_manage(request.user)
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    form = WebhookForm(request.POST or None, webhook=webhook)
    if request.method == "POST" and form.is_valid():
        try:
            webhook_services.webhook_update(
                actor=request.user, webhook=webhook, data=form.payload()
            )
        except ValidationFailed as exc:
            apply_service_errors(form, exc, {})
        else:
            messages.success(request, _("Webhook %(name)s saved.") % {"name": webhook.name})
            return redirect("webhook-edit", webhook.pk)
    status = 422 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "webhook": webhook,
        "deliveries": webhook.deliveries.order_by("-id")[:50],
    }
    return render(request, "workflow/webhook_form.html", context, status=status)


@login_required
@require_POST
def webhook_test(request: AuthedRequest, webhook_id: int) -> HttpResponse:
    rule_services.assert_can_manage(request.user)
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    delivery = webhook_services.webhook_test_create(actor=request.user, webhook=webhook)
    sent = webhook_services.delivery_attempt(delivery.pk, retry=False)
    if sent is not None and sent.status == sent.Status.DELIVERED:
        messages.success(request, _("Test delivered (HTTP %(code)s).") % {"code": sent.status_code})
    else:
        messages.error(request, _("Test failed: %(error)s") % {"error": sent.error if sent else ""})
    return redirect("webhook-edit", webhook.pk)


@login_required
@require_POST
def webhook_delete(request: AuthedRequest, webhook_id: int) -> HttpResponse:
    rule_services.assert_can_manage(request.user)
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    webhook_services.webhook_delete(actor=request.user, webhook=webhook)
    messages.success(request, _("Webhook %(name)s deleted.") % {"name": webhook.name})
    return redirect("webhook-list")
