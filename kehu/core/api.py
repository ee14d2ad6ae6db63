"""Background job progress under /api/v1/jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from .api_utils import errors
from .models import Job
from .selectors import job_get_for

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    total: int
    done: int
    percent: int
    message: str
    result: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@router.get("/jobs/{job_id}", response={200: JobOut, **errors(404, 422)})
def job_detail(request: HttpRequest, job_id: int) -> Job:
    job = job_get_for(request.user, job_id)
    if job is None:
        raise Http404
    return job
