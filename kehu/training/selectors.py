"""Training's reads: whose workspaces a user sees, a trainee's progress, a team's progress."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kehu.accounts.models import Role, User
from kehu.core.errors import NotFound

from . import databases
from .models import Assessment, Certificate, CheckRun, Workspace
from .scenarios import Scenario, scenarios_for

SEE_ALL = {Role.ADMIN, Role.STEWARD}


def workspaces_for(user: User) -> QuerySet[Workspace]:
    """Administrators and stewards see every workspace, a manager their team's, others their own."""
    rows = Workspace.objects.select_related("trainee", "created_by")
    if user.role in SEE_ALL:
        return rows
    if user.role == Role.MANAGER and user.team_id is not None:
        return rows.filter(trainee__team_id=user.team_id)
    return rows.filter(trainee=user)


def workspace_get_for(user: User, workspace_id: int) -> Workspace:
    workspace = workspaces_for(user).filter(pk=workspace_id).first()
    if workspace is None:
        raise NotFound()
    return workspace


def workspace_active_for(user: User) -> Workspace | None:
    return Workspace.objects.filter(trainee=user, is_active=True).order_by("-id").first()


def latest_runs(trainee: User, workspace: Workspace | None = None) -> dict[str, CheckRun]:
    runs = CheckRun.objects.filter(trainee=trainee)
    if workspace is not None:
        runs = runs.filter(workspace=workspace)
    latest: dict[str, CheckRun] = {}
    for run in runs.order_by("id"):
        latest[run.scenario_id] = run
    return latest


def progress_of(trainee: User, workspace: Workspace | None) -> list[dict[str, Any]]:
    """Each scenario open to the trainee with the last check in this workspace."""
    runs = latest_runs(trainee, workspace) if workspace is not None else {}
    return [{"scenario": s, "run": runs.get(s.id)} for s in scenarios_for(trainee.role)]


def team_progress_for(user: User) -> list[dict[str, Any]]:
    """The people a manager (or an administrator, steward) follows: scenarios passed, the
    latest certificate."""
    if user.role in SEE_ALL:
        people = User.objects.filter(is_active=True)
    elif user.role == Role.MANAGER and user.team_id is not None:
        people = User.objects.filter(is_active=True, team_id=user.team_id)
    else:
        people = User.objects.filter(pk=user.pk)
    passed: dict[int, set[str]] = {}
    for trainee_id, scenario_id in CheckRun.objects.filter(
        trainee__in=people, passed=True
    ).values_list("trainee_id", "scenario_id"):
        passed.setdefault(trainee_id, set()).add(scenario_id)
    certificates: dict[int, Certificate] = {}
    for certificate in Certificate.objects.filter(trainee__in=people).order_by("id"):
        certificates[certificate.trainee_id] = certificate
    rows = []
    for person in people.order_by("username"):
        if person.pk not in passed and person.pk not in certificates:
            if not Workspace.objects.filter(trainee=person).exists():
                continue
        open_ids = {s.id for s in scenarios_for(person.role)}
        rows.append(
            {
                "trainee": person,
                "passed": len(passed.get(person.pk, set()) & open_ids),
                "total": len(open_ids),
                "certificate": certificates.get(person.pk),
            }
        )
    return rows


def assessment_running_for(user: User) -> Assessment | None:
    return Assessment.objects.filter(trainee=user, finished_at__isnull=True).first()


def assessment_get_for(user: User, assessment_id: int) -> Assessment:
    assessment = Assessment.objects.filter(pk=assessment_id, trainee=user).first()
    if assessment is None:
        raise NotFound()
    return assessment


def certificate_get_for(user: User, certificate_id: int) -> Certificate:
    rows = Certificate.objects.select_related("trainee", "assessment")
    certificate = rows.filter(pk=certificate_id).first()
    if certificate is None:
        raise NotFound()
    trainee = certificate.trainee
    allowed = (
        trainee.pk == user.pk
        or user.role in SEE_ALL
        or (
            user.role == Role.MANAGER
            and user.team_id is not None
            and trainee.team_id == user.team_id
        )
    )
    if not allowed:
        raise NotFound()
    return certificate


def answer_choices(scenario: Scenario, workspace: Workspace) -> list[tuple[str, str]]:
    """The values a trainee picks an analysis answer from, read from their workspace."""
    if scenario.answer.get("choices") != "sources":
        return []
    from kehu.customers.models import Source

    with databases.activated(databases.workspace_database(workspace.pk)):
        return list(
            Source.objects.filter(is_active=True).order_by("sort", "id").values_list("code", "name")
        )
