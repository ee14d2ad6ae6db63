from __future__ import annotations

from typing import Any

from .models import Job


def job_get_for(user: Any, job_id: int) -> Job | None:
    """A job is visible to whoever started it, and to administrators."""
    jobs = Job.objects.filter(pk=job_id)
    if getattr(user, "role", None) != "admin":
        jobs = jobs.filter(started_by=user)
    return jobs.first()
