"""Requests of a trainee in training run against their workspace.

The session flag (SESSION_KEY: the workspace id) is set by "Enter training" and cleared by
"Leave". The session and the user are read from the live database before the switch and the
session is saved after it; pages that sign in or out, change a password or a second factor,
and the training pages themselves (which read the live registry) are never switched."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import databases
from .models import Workspace
from .runner import workspace_tasks_run

SESSION_KEY = "training_workspace"
LIVE_PREFIXES = (
    "/login/",
    "/logout/",
    "/otp/",
    "/profile/",
    "/training/",
    "/api/v1/training/",
    "/static/",
    "/i18n/",
    "/admin/",
    "/healthz",
)


def workspace_of(request: HttpRequest) -> Workspace | None:
    """The workspace the signed-in user is training in, if any (a live read)."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    workspace_id = session.get(SESSION_KEY)
    if not workspace_id or not request.user.is_authenticated:
        return None
    workspace = Workspace.objects.filter(
        pk=workspace_id, trainee_id=request.user.pk, is_active=True
    ).first()
    if workspace is None:
        session.pop(SESSION_KEY, None)
    return workspace


class TrainingWorkspaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        workspace = workspace_of(request)
        request.training_workspace = workspace  # type: ignore[attr-defined]
        if workspace is None or request.path.startswith(LIVE_PREFIXES):
            return self.get_response(request)
        with databases.activated(databases.workspace_database(workspace.pk)):
            response = self.get_response(request)
            if response.streaming:  # an export: read it while the workspace is in use
                body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
                response.streaming_content = [body]  # type: ignore[attr-defined]
            workspace_tasks_run()
        return response
