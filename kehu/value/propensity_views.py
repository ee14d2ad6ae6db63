"""/settings/value/propensity/ and /settings/value/freshness/: the administrator's pages over the
propensity models (their honest evaluation, a retraining) and the freshness settings (cadences by
grade, behaviour triggers). Thin pages over the services; the same as /api/v1/value/…."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import ValidationFailed
from kehu.interactions.models import BehaviourEvent

from .freshness.cadence import cadences
from .models import BehaviourTrigger, Lifecycle, PropensityRun, VerificationCadence
from .propensity.display import models_state
from .services.freshness import assert_can_manage, cadence_update, trigger_save


@login_required
def propensity_page(request: AuthedRequest) -> HttpResponse:
    assert_can_manage(request.user)
    state = models_state()
    context = {
        "state": state,
        "models": [
            (kind, PropensityRun.Kind(kind).label, model) for kind, model in state["models"].items()
        ],
        "history": PropensityRun.objects.order_by("-trained_at", "-id")[:20],
    }
    return render(request, "value/propensity/models.html", context)


@login_required
@require_POST
def propensity_train_request(request: AuthedRequest) -> HttpResponse:
    assert_can_manage(request.user)
    from .tasks import propensity_train_task

    propensity_train_task.enqueue()
    messages.success(request, _("Retraining queued; the task worker runs it shortly."))
    return redirect("value-propensity")


def _trigger_data(post: Any) -> dict[str, Any]:
    return {
        "name": post.get("name", ""),
        "event_kind": post.get("event_kind", ""),
        "min_count": post.get("min_count", ""),
        "window_days": post.get("window_days", ""),
        "lifecycle": post.get("lifecycle", ""),
        "task_title": post.get("task_title", ""),
        "is_enabled": post.get("is_enabled") == "on",
    }


def _freshness_render(
    request: AuthedRequest, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    days = cadences()
    context = {
        "cadences": [(key, VerificationCadence.Key(key).label, days[key]) for key in days],
        "triggers": BehaviourTrigger.objects.order_by("id"),
        "kinds": BehaviourEvent.Kind.choices,
        "lifecycles": Lifecycle.choices,
        "errors": errors or {},
    }
    status = 422 if errors else 200
    return render(request, "value/freshness/settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def freshness_page(request: AuthedRequest) -> HttpResponse:
    assert_can_manage(request.user)
    if request.method == "POST":
        days = {key: request.POST.get(key, "") for key in VerificationCadence.Key.values}
        try:
            cadence_update(actor=request.user, days=days)
        except ValidationFailed as exc:
            return _freshness_render(request, exc.errors)
        messages.success(request, _("Verification cadences saved."))
        return redirect("value-freshness")
    return _freshness_render(request)


@login_required
@require_POST
def trigger_edit(request: AuthedRequest, trigger_id: int = 0) -> HttpResponse:
    assert_can_manage(request.user)
    trigger = get_object_or_404(BehaviourTrigger, pk=trigger_id) if trigger_id else None
    try:
        saved = trigger_save(actor=request.user, trigger=trigger, data=_trigger_data(request.POST))
    except ValidationFailed as exc:
        return _freshness_render(request, exc.errors)
    messages.success(request, _("Behaviour trigger %(name)s saved.") % {"name": saved.name})
    return redirect("value-freshness")
