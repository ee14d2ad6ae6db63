"""Pages: users a manager/admin may hand over, the hand-over itself, my notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.core.errors import DomainError, ValidationFailed

from . import services
from .selectors import handover_candidates_for, notifications_for, successors_for


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    users = handover_candidates_for(request.user)
    if request.user.role not in ("admin", "manager"):
        raise PermissionDenied(_("Only an administrator or a manager hands over users."))
    return render(request, "collab/users.html", {"users": users})


@login_required
@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest, user_id: int) -> HttpResponse:
    user = services.handover_user_get(request.user, user_id)
    preview = services.handover_preview(user)
    successors = successors_for(request.user, user)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        assignments = {
            c.customer_no: request.POST.get(f"to_{c.customer_no}", "")
            for c in preview["customers"]
            if f"to_{c.customer_no}" in request.POST
        }
        default = request.POST.get("default")
        try:
            services.handover_confirm(
                actor=request.user,
                user=user,
                assignments=assignments,
                default=default if default is not None else None,
            )
        except ValidationFailed as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"__all__": [exc.message]}
        else:
            messages.success(
                request, _("%(user)s was deactivated and handed over.") % {"user": user.label}
            )
            return redirect("collab-users")
    return render(
        request,
        "collab/handover.html",
        {"subject": user, "preview": preview, "successors": successors, "errors": errors},
        status=422 if errors else 200,
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    rows = list(notifications_for(request.user)[:100])
    return render(request, "collab/notifications.html", {"notifications": rows})


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications_for(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notification-list")
