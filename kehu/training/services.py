"""Training's write path: workspaces (create, reset), check runs, assessments, certificates.
Their rows live in the live database; a workspace's data is changed only by the trainee's own
requests inside it (kehu.training.middleware) and by `workspace_prepare` here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import Conflict, PermissionDenied, ValidationFailed

from . import databases
from .checks import CheckContext, check_run
from .models import Assessment, Certificate, CheckRun, Workspace
from .runner import workspace_tasks_run
from .sandbox import sandbox_fill, workspace_prepare
from .scenarios import Scenario, scenarios_for

MANAGE_ROLES = {Role.ADMIN, Role.STEWARD}


def can_manage_workspaces(user: User) -> bool:
    """Administrators and data stewards create workspaces for trainees."""
    return user.role in MANAGE_ROLES


def _populate(workspace: Workspace) -> None:
    """Copy the current template into the workspace's database and prepare it for its trainee."""
    key, template = databases.template_ensure(sandbox_fill)
    databases.copy_database(template, databases.workspace_database(workspace.pk))
    trainee = workspace.trainee
    team = trainee.team
    with databases.activated(databases.workspace_database(workspace.pk)):
        workspace_prepare(trainee=trainee, team=team, today=timezone.localdate())
        workspace_tasks_run()
    if workspace.template_key != key:
        workspace.template_key = key
        workspace.save(update_fields=["template_key"])


def _drop_on_commit(name: str) -> None:
    transaction.on_commit(lambda: databases.drop(name))


def workspace_create(*, actor: User, trainee: User) -> Workspace:
    """A fresh workspace for `trainee` (their earlier ones stop being active). Building the
    sandbox template the first time takes a minute or two; each copy after, about a second."""
    if not can_manage_workspaces(actor):
        raise PermissionDenied(_("Only administrators and data stewards create workspaces."))
    if not trainee.is_active:
        raise ValidationFailed({"trainee": [_("This user is not active.")]})
    with transaction.atomic():
        for old in Workspace.objects.filter(trainee=trainee, is_active=True):
            old.is_active = False
            old.save(update_fields=["is_active"])
            _drop_on_commit(databases.workspace_database(old.pk))
        workspace = Workspace.objects.create(trainee=trainee, created_by=actor, template_key="")
        audit_record(
            actor=actor,
            action=AuditAction.TRAINING_WORKSPACE_CREATED,
            target=workspace,
            note=trainee.username,
        )
    try:
        _populate(workspace)
    except Exception:
        workspace.is_active = False
        workspace.save(update_fields=["is_active"])
        raise
    return workspace


def can_use_workspace(user: User, workspace: Workspace) -> bool:
    return workspace.trainee_id == user.pk or can_manage_workspaces(user)


def workspace_reset(*, actor: User, workspace: Workspace) -> Workspace:
    """Throw away everything done in the workspace: a fresh copy of the sandbox."""
    if not can_use_workspace(actor, workspace):
        raise PermissionDenied(_("This is not your workspace."))
    if not workspace.is_active:
        raise Conflict(_("This workspace was replaced by a newer one."))
    _populate(workspace)
    workspace.reset_at = timezone.now()
    workspace.save(update_fields=["reset_at"])
    audit_record(actor=actor, action=AuditAction.TRAINING_WORKSPACE_RESET, target=workspace)
    return workspace


def workspace_since(workspace: Workspace) -> Any:
    return workspace.reset_at or workspace.created_at


def scenario_check(
    *, actor: User, workspace: Workspace, scenario: Scenario, answers: dict[str, str]
) -> CheckRun:
    """Run each step's check inside the workspace; keep the results (one row per run)."""
    if workspace.trainee_id != actor.pk:
        raise PermissionDenied(_("Only the trainee checks their own work."))
    if scenario.id not in {s.id for s in scenarios_for(actor.role)}:
        raise PermissionDenied(_("This scenario is not available to your role."))
    context = CheckContext(trainee=actor, since=workspace_since(workspace), answers=answers)
    results = []
    with databases.activated(databases.workspace_database(workspace.pk)):
        for step in scenario.steps:
            outcome = check_run(step.check, context, step.params)
            results.append(
                {
                    "step": step.name,
                    "title": step.title,
                    "passed": outcome.passed,
                    "message": outcome.message,
                    "link": outcome.link,
                }
            )
    passed = sum(1 for r in results if r["passed"])
    return CheckRun.objects.create(
        workspace=workspace,
        trainee=actor,
        scenario_id=scenario.id,
        scenario_version=scenario.version,
        passed=passed == len(results),
        steps_passed=passed,
        steps_total=len(results),
        results=results,
    )


@transaction.atomic
def assessment_start(*, actor: User, workspace: Workspace) -> Assessment:
    """A timed assessment of every scenario open to the trainee's role, in the workspace as it
    is now (reset it first for a clean start)."""
    if workspace.trainee_id != actor.pk:
        raise PermissionDenied(_("Only the trainee takes their own assessment."))
    if Assessment.objects.filter(trainee=actor, finished_at__isnull=True).exists():
        raise Conflict(_("An assessment is already running: finish it first."))
    scenarios = scenarios_for(actor.role)
    if not scenarios:
        raise Conflict(_("No scenario is open to your role yet."))
    assessment = Assessment.objects.create(
        trainee=actor,
        workspace=workspace,
        scenarios=[{"id": s.id, "version": s.version} for s in scenarios],
        deadline=timezone.now() + timedelta(minutes=settings.KEHU_TRAINING_ASSESSMENT_MINUTES),
        max_score=sum(len(s.steps) for s in scenarios),
    )
    audit_record(actor=actor, action=AuditAction.TRAINING_ASSESSMENT_STARTED, target=assessment)
    return assessment


def assessment_finish(
    *, actor: User, assessment: Assessment, answers: dict[str, str]
) -> Assessment:
    """Score every step of the assessment's scenarios (one point each) against the workspace;
    a score of at least KEHU_TRAINING_PASS_PERCENT issues the certificate. After the deadline
    nothing is scored: the attempt counts as 0."""
    if assessment.trainee_id != actor.pk:
        raise PermissionDenied(_("Only the trainee finishes their own assessment."))
    if assessment.finished_at is not None:
        raise Conflict(_("This assessment has finished already."))
    from .scenarios import scenarios_load

    known = scenarios_load()
    now = timezone.now()
    results: list[dict[str, Any]] = []
    if now <= assessment.deadline:
        for item in assessment.scenarios:
            scenario = known.get(item["id"])
            if scenario is None:
                continue
            run = scenario_check(
                actor=actor, workspace=assessment.workspace, scenario=scenario, answers=answers
            )
            results.append(
                {
                    "scenario": scenario.id,
                    "version": scenario.version,
                    "title": scenario.title,
                    "steps": run.results,
                }
            )
    score = sum(1 for r in results for step in r["steps"] if step["passed"])
    with transaction.atomic():
        assessment.finished_at = now
        assessment.score = score
        assessment.results = results
        assessment.save(update_fields=["finished_at", "score", "results"])
        if (
            assessment.max_score
            and score * 100 >= settings.KEHU_TRAINING_PASS_PERCENT * assessment.max_score
        ):
            certificate = Certificate.objects.create(
                trainee=actor,
                assessment=assessment,
                score=score,
                max_score=assessment.max_score,
                scenario_versions=assessment.scenarios,
            )
            audit_record(
                actor=actor,
                action=AuditAction.TRAINING_CERTIFIED,
                target=certificate,
                note=f"{score}/{assessment.max_score}",
            )
    return assessment
