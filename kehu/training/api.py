"""Training under /api/v1/training: scenarios (list, detail, check), workspaces (create, reset,
progress), assessments (start, finish) and certificates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from kehu.accounts.models import User
from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors
from kehu.core.errors import Conflict, NotFound, ValidationFailed

from . import services
from .models import Assessment, Certificate, CheckRun, Workspace
from .scenarios import Scenario, scenarios_for
from .selectors import (
    assessment_get_for,
    certificate_get_for,
    latest_runs,
    progress_of,
    workspace_active_for,
    workspace_get_for,
    workspaces_for,
)

router = Router(tags=["training"])


class TrainingStepOut(Schema):
    name: str
    title: str
    hint: str


class TrainingMaterialOut(Schema):
    file: str
    title: str
    url: str


class TrainingScenarioOut(Schema):
    id: str
    version: int
    stage: str
    title: str
    goal: str
    steps: list[TrainingStepOut]
    answer: str
    materials: list[TrainingMaterialOut]
    passed: bool


def scenario_out(scenario: Scenario, run: CheckRun | None) -> dict[str, Any]:
    return {
        "id": scenario.id,
        "version": scenario.version,
        "stage": scenario.stage,
        "title": scenario.title,
        "goal": scenario.goal,
        "steps": [{"name": s.name, "title": s.title, "hint": s.hint} for s in scenario.steps],
        "answer": scenario.answer.get("name", ""),
        "materials": [
            {
                "file": m.file,
                "title": m.title,
                "url": reverse("training-scenario-material", args=[scenario.id, m.file]),
            }
            for m in scenario.materials
        ],
        "passed": bool(run and run.passed),
    }


def scenario_get_for(user: User, scenario_id: str) -> Scenario:
    for scenario in scenarios_for(user.role):
        if scenario.id == scenario_id:
            return scenario
    raise NotFound()


@router.get("/scenarios", response=list[TrainingScenarioOut])
def scenario_list(request: AuthedRequest) -> list[dict[str, Any]]:
    workspace = workspace_active_for(request.user)
    runs = latest_runs(request.user, workspace) if workspace else {}
    return [scenario_out(s, runs.get(s.id)) for s in scenarios_for(request.user.role)]


@router.get("/scenarios/{scenario_id}", response={200: TrainingScenarioOut, **errors(404)})
def scenario_detail(request: AuthedRequest, scenario_id: str) -> dict[str, Any]:
    scenario = scenario_get_for(request.user, scenario_id)
    workspace = workspace_active_for(request.user)
    runs = latest_runs(request.user, workspace) if workspace else {}
    return scenario_out(scenario, runs.get(scenario.id))


class TrainingAnswersIn(Schema):
    answers: dict[str, str] = {}


class TrainingStepResultOut(Schema):
    step: str
    title: str
    passed: bool
    message: str
    link: str


class TrainingCheckOut(Schema):
    scenario: str
    version: int
    passed: bool
    steps_passed: int
    steps_total: int
    results: list[TrainingStepResultOut]
    checked_at: datetime


def check_out(run: CheckRun) -> dict[str, Any]:
    return {
        "scenario": run.scenario_id,
        "version": run.scenario_version,
        "passed": run.passed,
        "steps_passed": run.steps_passed,
        "steps_total": run.steps_total,
        "results": run.results,
        "checked_at": run.checked_at,
    }


def active_workspace(user: User) -> Workspace:
    workspace = workspace_active_for(user)
    if workspace is None:
        raise Conflict(
            _("You have no training workspace: ask an administrator or a data steward for one.")
        )
    return workspace


@router.post(
    "/scenarios/{scenario_id}/check", response={200: TrainingCheckOut, **errors(404, 409, 422)}
)
def scenario_check(
    request: AuthedRequest, scenario_id: str, payload: TrainingAnswersIn
) -> dict[str, Any]:
    scenario = scenario_get_for(request.user, scenario_id)
    run = services.scenario_check(
        actor=request.user,
        workspace=active_workspace(request.user),
        scenario=scenario,
        answers=payload.answers,
    )
    return check_out(run)


class TrainingWorkspaceIn(Schema):
    trainee: str  # username or id


class TrainingWorkspaceOut(Schema):
    id: int
    trainee: str
    trainee_name: str
    created_by: str | None
    created_at: datetime
    reset_at: datetime | None
    is_active: bool
    url: str


def workspace_out(workspace: Workspace) -> dict[str, Any]:
    return {
        "id": workspace.pk,
        "trainee": workspace.trainee.username,
        "trainee_name": workspace.trainee.label,
        "created_by": workspace.created_by.username if workspace.created_by else None,
        "created_at": workspace.created_at,
        "reset_at": workspace.reset_at,
        "is_active": workspace.is_active,
        "url": reverse("training-hub"),
    }


@router.get("/workspaces", response=list[TrainingWorkspaceOut])
def workspace_list(request: AuthedRequest) -> list[dict[str, Any]]:
    return [workspace_out(w) for w in workspaces_for(request.user)[:200]]


@router.post("/workspaces", response={201: TrainingWorkspaceOut, **errors(403, 422)})
def workspace_create(request: AuthedRequest, payload: TrainingWorkspaceIn) -> Status:
    raw = payload.trainee.strip()
    users = User.objects.filter(is_active=True)
    trainee = (
        users.filter(pk=int(raw)).first()
        if raw.isdecimal() and len(raw) < 19
        else users.filter(username=raw).first()
    )
    if trainee is None:
        raise ValidationFailed({"trainee": [_("No active user '%(name)s'.") % {"name": raw}]})
    workspace = services.workspace_create(actor=request.user, trainee=trainee)
    return Status(201, workspace_out(workspace))


@router.post(
    "/workspaces/{workspace_id}/reset",
    response={200: TrainingWorkspaceOut, **errors(403, 404, 409, 422)},
)
def workspace_reset(request: AuthedRequest, workspace_id: int) -> dict[str, Any]:
    workspace = workspace_get_for(request.user, workspace_id)
    return workspace_out(services.workspace_reset(actor=request.user, workspace=workspace))


class TrainingProgressItemOut(Schema):
    scenario: str
    version: int
    stage: str
    title: str
    passed: bool
    steps_passed: int
    steps_total: int
    checked_at: datetime | None


class TrainingProgressOut(Schema):
    workspace: int
    trainee: str
    passed: int
    total: int
    scenarios: list[TrainingProgressItemOut]


@router.get(
    "/workspaces/{workspace_id}/progress", response={200: TrainingProgressOut, **errors(404, 422)}
)
def workspace_progress(request: AuthedRequest, workspace_id: int) -> dict[str, Any]:
    workspace = workspace_get_for(request.user, workspace_id)
    items = []
    for row in progress_of(workspace.trainee, workspace):
        scenario, run = row["scenario"], row["run"]
        items.append(
            {
                "scenario": scenario.id,
                "version": scenario.version,
                "stage": scenario.stage,
                "title": scenario.title,
                "passed": bool(run and run.passed),
                "steps_passed": run.steps_passed if run else 0,
                "steps_total": len(scenario.steps),
                "checked_at": run.checked_at if run else None,
            }
        )
    return {
        "workspace": workspace.pk,
        "trainee": workspace.trainee.username,
        "passed": sum(1 for i in items if i["passed"]),
        "total": len(items),
        "scenarios": items,
    }


class TrainingAssessmentOut(Schema):
    id: int
    started_at: datetime
    deadline: datetime
    finished_at: datetime | None
    score: int
    max_score: int
    scenarios: list[dict[str, Any]]
    results: list[dict[str, Any]]
    certificate: int | None


def assessment_out(assessment: Assessment) -> dict[str, Any]:
    certificate = Certificate.objects.filter(assessment=assessment).first()
    return {
        "id": assessment.pk,
        "started_at": assessment.started_at,
        "deadline": assessment.deadline,
        "finished_at": assessment.finished_at,
        "score": assessment.score,
        "max_score": assessment.max_score,
        "scenarios": assessment.scenarios,
        "results": assessment.results,
        "certificate": certificate.pk if certificate else None,
    }


@router.post("/assessments", response={201: TrainingAssessmentOut, **errors(403, 409)})
def assessment_start(request: AuthedRequest) -> Status:
    assessment = services.assessment_start(
        actor=request.user, workspace=active_workspace(request.user)
    )
    return Status(201, assessment_out(assessment))


@router.post(
    "/assessments/{assessment_id}/finish",
    response={200: TrainingAssessmentOut, **errors(403, 404, 409, 422)},
)
def assessment_finish(
    request: AuthedRequest, assessment_id: int, payload: TrainingAnswersIn
) -> dict[str, Any]:
    assessment = assessment_get_for(request.user, assessment_id)
    finished = services.assessment_finish(
        actor=request.user, assessment=assessment, answers=payload.answers
    )
    return assessment_out(finished)


class TrainingCertificateOut(Schema):
    id: int
    trainee: str
    trainee_name: str
    issued_at: datetime
    score: int
    max_score: int
    scenario_versions: list[dict[str, Any]]


@router.get(
    "/certificates/{certificate_id}", response={200: TrainingCertificateOut, **errors(404, 422)}
)
def certificate_detail(request: AuthedRequest, certificate_id: int) -> dict[str, Any]:
    certificate = certificate_get_for(request.user, certificate_id)
    return {
        "id": certificate.pk,
        "trainee": certificate.trainee.username,
        "trainee_name": certificate.trainee.label,
        "issued_at": certificate.issued_at,
        "score": certificate.score,
        "max_score": certificate.max_score,
        "scenario_versions": certificate.scenario_versions,
    }
