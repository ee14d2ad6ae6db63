"""Background jobs as pages: progress that refreshes itself, and the admin's start buttons."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.accounts.models import Role
from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import PermissionDenied
from kehu.core.jobs import job_looks_stopped, job_start
from kehu.core.models import Job
from kehu.core.selectors import job_get_for
from kehu.customers.tasks import customer_quality_refresh
from kehu.customers.views import is_htmx

JOB_LIST_SIZE = 20


@login_required
def job_list(request: AuthedRequest) -> HttpResponse:
    """The latest jobs this user may see: their own; an administrator sees all."""
    jobs = Job.objects.select_related("started_by")
    if request.user.role != Role.ADMIN:
        jobs = jobs.filter(started_by=request.user)
    context = {
        "jobs": [_with_state(job) for job in jobs[:JOB_LIST_SIZE]],
        "is_admin": request.user.role == Role.ADMIN,
    }
    return render(request, "portal/job_list.html", context)


def _with_state(job: Job) -> Job:
    """The job, with `looks_stopped`: running, but its worker is gone or silent (the page says
    so instead of "running" until a reaper resumes it or marks it failed)."""
    job.looks_stopped = job_looks_stopped(job)  # type: ignore[attr-defined]
    return job


@login_required
def job_detail(request: AuthedRequest, job_id: int) -> HttpResponse:
    job = job_get_for(request.user, job_id)
    if job is None:
        raise Http404("No such job.")
    job = _with_state(job)
    if is_htmx(request):
        return render(request, "portal/partials/_job_progress.html", {"job": job})
    return render(request, "portal/job_detail.html", {"job": job})


@login_required
@require_POST
def job_quality_refresh(request: AuthedRequest) -> HttpResponse:
    if request.user.role != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator may start this job."))
    job = job_start(
        kind="customers.quality_refresh",
        title=_("Recalculate the completeness of every customer"),
        actor=request.user,
        task=customer_quality_refresh,
    )
    return redirect("job-detail", job_id=job.pk)
