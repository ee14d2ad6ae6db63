"""/settings/tag-rules/: keyword auto-tag rules and decay rules (administrators and data
stewards) — list, add, edit, preview count, run; each rule's history. Thin pages over
kehu.tags.rules; the same rules as /api/v1/tag-rules and /api/v1/tag-decay-rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import PermissionDenied, ValidationFailed
from kehu.customers.forms import apply_service_errors

from .models import KeywordTagRule, TagChange, TagDecayRule
from .rules.apply import rule_preview
from .rules.decay import decay_preview
from .rules.services import (
    can_edit_tag_rules,
    decay_rule_save,
    keyword_rule_run_start,
    keyword_rule_save,
)
from .rules_forms import DecayRuleForm, KeywordRuleForm

HISTORY = 50


def _editor(request: AuthedRequest) -> None:
    if not can_edit_tag_rules(request.user):
        raise PermissionDenied(_("Only administrators and data stewards may change tag rules."))


def _save(form: Any, save: Any, request: AuthedRequest, rule_id: int | None) -> Any:
    if not form.is_valid():
        return None
    try:
        return save(actor=request.user, data=form.payload(), rule_id=rule_id)
    except ValidationFailed as exc:
        apply_service_errors(form, exc, {})
        return None


@login_required
@require_http_methods(["GET", "POST"])
def tag_rule_list(request: AuthedRequest) -> HttpResponse:
    """Both kinds of rules, and the forms that add one."""
    _editor(request)
    which = request.POST.get("form") if request.method == "POST" else None
    keyword_form = KeywordRuleForm(request.POST if which == "keyword" else None)
    decay_form = DecayRuleForm(request.POST if which == "decay" else None)
    if which == "keyword":
        rule = _save(keyword_form, keyword_rule_save, request, None)
        if rule is not None:
            messages.success(request, _("Rule %(name)s added.") % {"name": rule.name})
            return redirect("tag-rule-edit", rule.pk)
    elif which == "decay":
        rule = _save(decay_form, decay_rule_save, request, None)
        if rule is not None:
            messages.success(request, _("Rule %(name)s added.") % {"name": rule.name})
            return redirect("tag-decay-edit", rule.pk)
    bound = keyword_form if which == "keyword" else decay_form
    status = 422 if which and bound.errors else 200
    context = {
        "keyword_rules": KeywordTagRule.objects.select_related("tag"),
        "decay_rules": TagDecayRule.objects.select_related("tag", "replace_with"),
        "keyword_form": keyword_form,
        "decay_form": decay_form,
    }
    return render(request, "tags/rules/list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def tag_rule_edit(request: AuthedRequest, rule_id: int) -> HttpResponse:
    _editor(request)
    rule = get_object_or_404(KeywordTagRule.objects.select_related("tag"), pk=rule_id)
    form = KeywordRuleForm(request.POST or None, rule=rule)
    if request.method == "POST":
        if _save(form, keyword_rule_save, request, rule.pk) is not None:
            messages.success(
                request, _("Rule %(name)s saved.") % {"name": form.cleaned_data["name"]}
            )
            return redirect("tag-rule-edit", rule.pk)
    status = 422 if form.is_bound and form.errors else 200
    changes = TagChange.objects.filter(keyword_rule=rule).select_related("customer")[:HISTORY]
    context = {"form": form, "rule": rule, "changes": changes, "kind": "keyword"}
    return render(request, "tags/rules/edit.html", context, status=status)


@login_required
@require_POST
def tag_rule_preview(request: AuthedRequest, rule_id: int) -> HttpResponse:
    """How many customers a run would tag (htmx: the fragment; else the page with a message)."""
    _editor(request)
    rule = get_object_or_404(KeywordTagRule.objects.select_related("tag"), pk=rule_id)
    preview = rule_preview(rule)
    if request.headers.get("HX-Request"):
        return render(request, "tags/rules/_preview.html", {"preview": preview, "kind": "keyword"})
    messages.info(
        request,
        _("%(matched)d customers match; %(new)d do not have the tag yet.")
        % {"matched": preview["matched"], "new": preview["new"]},
    )
    return redirect("tag-rule-edit", rule.pk)


@login_required
@require_POST
def tag_rule_run(request: AuthedRequest, rule_id: int) -> HttpResponse:
    """Queue a run over every existing text on the task worker."""
    _editor(request)
    rule = get_object_or_404(KeywordTagRule.objects.select_related("tag"), pk=rule_id)
    job = keyword_rule_run_start(actor=request.user, rule=rule)
    messages.success(
        request,
        _(
            "The run over all existing texts is queued (job #%(id)d); the count appears here when it is done."
        )
        % {"id": job.pk},
    )
    return redirect("tag-rule-edit", rule.pk)


@login_required
@require_http_methods(["GET", "POST"])
def tag_decay_edit(request: AuthedRequest, rule_id: int) -> HttpResponse:
    _editor(request)
    rule = get_object_or_404(TagDecayRule.objects.select_related("tag", "replace_with"), pk=rule_id)
    form = DecayRuleForm(request.POST or None, rule=rule)
    if request.method == "POST":
        if _save(form, decay_rule_save, request, rule.pk) is not None:
            messages.success(
                request, _("Rule %(name)s saved.") % {"name": form.cleaned_data["name"]}
            )
            return redirect("tag-decay-edit", rule.pk)
    status = 422 if form.is_bound and form.errors else 200
    changes = TagChange.objects.filter(decay_rule=rule).select_related("customer")[:HISTORY]
    context = {"form": form, "rule": rule, "changes": changes, "kind": "decay"}
    return render(request, "tags/rules/edit.html", context, status=status)


@login_required
@require_POST
def tag_decay_preview(request: AuthedRequest, rule_id: int) -> HttpResponse:
    """How many customers the rule would change tonight (a dry run)."""
    _editor(request)
    rule = get_object_or_404(TagDecayRule, pk=rule_id)
    count = decay_preview(rule)
    if request.headers.get("HX-Request"):
        return render(request, "tags/rules/_preview.html", {"count": count, "kind": "decay"})
    messages.info(request, _("%(count)d customers would change now.") % {"count": count})
    return redirect("tag-decay-edit", rule.pk)
