"""Training pages: the hub (/training/), a scenario with its check button (htmx), the timed
assessment and the certificate (page and PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.accounts.models import User
from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import DomainError, NotFound

from . import services
from .materials import MATERIALS
from .middleware import SESSION_KEY
from .pdf import certificate_pdf_bytes, pdf_available
from .scenarios import STAGES, Scenario, scenarios_for
from .selectors import (
    answer_choices,
    assessment_get_for,
    assessment_running_for,
    certificate_get_for,
    progress_of,
    team_progress_for,
    workspace_active_for,
    workspace_get_for,
    workspaces_for,
)


def _stage_label(stage: str) -> str:
    labels = {
        "basic": _("Basic operations"),
        "drill": _("Scenario drills"),
        "analysis": _("Analysis"),
    }
    return labels[stage]


@login_required
def hub(request: AuthedRequest) -> HttpResponse:
    user = request.user
    workspace = workspace_active_for(user)
    progress = progress_of(user, workspace)
    stages = [
        {
            "label": _stage_label(stage),
            "rows": [r for r in progress if r["scenario"].stage == stage],
        }
        for stage in STAGES
    ]
    may_manage = services.can_manage_workspaces(user)
    context = {
        "workspace": workspace,
        "in_training": request.session.get(SESSION_KEY) == (workspace.pk if workspace else None)
        and workspace is not None,
        "stages": [s for s in stages if s["rows"]],
        "passed": sum(1 for r in progress if r["run"] and r["run"].passed),
        "total": len(progress),
        "may_manage": may_manage,
        "trainees": User.objects.filter(is_active=True).order_by("username") if may_manage else [],
        "workspaces": workspaces_for(user).filter(is_active=True)[:50] if may_manage else [],
        "team": team_progress_for(user) if user.role in ("manager", "admin", "steward") else [],
        "assessment": assessment_running_for(user),
        "certificates": user.training_certificates.order_by("-id")[:5],
    }
    return render(request, "training/hub.html", context)


@login_required
@require_POST
def enter(request: AuthedRequest) -> HttpResponse:
    workspace = workspace_active_for(request.user)
    if workspace is None:
        messages.error(request, _("You have no training workspace yet."))
        return redirect("training-hub")
    request.session[SESSION_KEY] = workspace.pk
    target = request.POST.get("next") or ""
    return redirect(target if target.startswith("/") and not target.startswith("//") else "home")


@login_required
@require_POST
def leave(request: AuthedRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    messages.success(request, _("You left the training workspace: this is the live system."))
    return redirect("training-hub")


@login_required
@require_POST
def workspace_new(request: AuthedRequest) -> HttpResponse:
    trainee = User.objects.filter(pk=request.POST.get("trainee") or 0, is_active=True).first()
    if trainee is None:
        messages.error(request, _("Choose a trainee."))
        return redirect("training-hub")
    try:
        services.workspace_create(actor=request.user, trainee=trainee)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Training workspace created for %(name)s.") % {"name": trainee.label}
        )
    return redirect("training-hub")


@login_required
@require_POST
def workspace_reset(request: AuthedRequest, workspace_id: int) -> HttpResponse:
    workspace = workspace_get_for(request.user, workspace_id)
    try:
        services.workspace_reset(actor=request.user, workspace=workspace)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The workspace is fresh again."))
    return redirect("training-hub")


def _scenario_for(user: User, scenario_id: str) -> Scenario:
    for scenario in scenarios_for(user.role):
        if scenario.id == scenario_id:
            return scenario
    raise NotFound()


@login_required
def scenario(request: AuthedRequest, scenario_id: str) -> HttpResponse:
    found = _scenario_for(request.user, scenario_id)
    workspace = workspace_active_for(request.user)
    context = {
        "scenario": found,
        "stage_label": _stage_label(found.stage),
        "workspace": workspace,
        "in_training": workspace is not None and request.session.get(SESSION_KEY) == workspace.pk,
        "choices": answer_choices(found, workspace) if workspace is not None else [],
    }
    return render(request, "training/scenario.html", context)


@login_required
def scenario_material(request: AuthedRequest, scenario_id: str, file: str) -> HttpResponse:
    """A file the scenario hands its trainee (kehu.training.materials), made for them now."""
    found = _scenario_for(request.user, scenario_id)
    item = found.material(file)
    if item is None:
        raise NotFound()
    made = MATERIALS[item.maker]
    try:
        body = made.make(request.user)
    except OSError as exc:  # the card needs fonts-wqy-microhei on the server
        message = _("This file cannot be made on this server: %(error)s") % {"error": exc}
        raise NotFound(message) from exc
    response = HttpResponse(body, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{item.file}"'
    return response


@login_required
@require_POST
def scenario_check(request: AuthedRequest, scenario_id: str) -> HttpResponse:
    found = _scenario_for(request.user, scenario_id)
    workspace = workspace_active_for(request.user)
    if workspace is None:
        return render(
            request,
            "training/partials/_results.html",
            {"error": _("You have no training workspace yet.")},
        )
    answers = {key: request.POST.get(key, "") for key in [found.answer.get("name", "")] if key}
    run = services.scenario_check(
        actor=request.user, workspace=workspace, scenario=found, answers=answers
    )
    return render(request, "training/partials/_results.html", {"run": run})


@login_required
@require_POST
def assessment_start(request: AuthedRequest) -> HttpResponse:
    workspace = workspace_active_for(request.user)
    if workspace is None:
        messages.error(request, _("You have no training workspace yet."))
        return redirect("training-hub")
    try:
        started = services.assessment_start(actor=request.user, workspace=workspace)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("training-hub")
    return redirect("training-assessment", started.pk)


@login_required
def assessment(request: AuthedRequest, assessment_id: int) -> HttpResponse:
    found = assessment_get_for(request.user, assessment_id)
    known = {s.id: s for s in scenarios_for(request.user.role)}
    items = [known[i["id"]] for i in found.scenarios if i["id"] in known]
    workspace = found.workspace
    choices = {s.id: answer_choices(s, workspace) for s in items if s.answer}
    context = {
        "assessment": found,
        "scenarios": items,
        "answer_fields": [(s, s.answer["name"], choices[s.id]) for s in items if s.answer],
        "seconds_left": max(0, int((found.deadline - timezone.now()).total_seconds())),
        "certificate": getattr(found, "certificate", None) if found.finished_at else None,
    }
    return render(request, "training/assessment.html", context)


@login_required
@require_POST
def assessment_finish(request: AuthedRequest, assessment_id: int) -> HttpResponse:
    found = assessment_get_for(request.user, assessment_id)
    answers = {
        key.removeprefix("answer_"): str(request.POST.get(key, ""))
        for key in request.POST
        if key.startswith("answer_")
    }
    try:
        services.assessment_finish(actor=request.user, assessment=found, answers=answers)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("training-assessment", found.pk)


@login_required
def certificate(request: AuthedRequest, certificate_id: int) -> HttpResponse:
    found = certificate_get_for(request.user, certificate_id)
    known = {s.id: s for s in scenarios_for(found.trainee.role)}
    versions = [
        {"title": known[i["id"]].title if i["id"] in known else i["id"], "version": i["version"]}
        for i in found.scenario_versions
    ]
    return render(
        request,
        "training/certificate.html",
        {"certificate": found, "versions": versions, "pdf": pdf_available()},
    )


@login_required
def certificate_pdf(request: AuthedRequest, certificate_id: int) -> HttpResponse:
    found = certificate_get_for(request.user, certificate_id)
    if not pdf_available():
        raise NotFound(_("PDF certificates need the fonts-wqy-microhei font on the server."))
    response = HttpResponse(certificate_pdf_bytes(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{found.pk}.pdf"'
    return response
