"""Jobs whose worker stopped: claimed once, resumed or failed in words, never "running" for ever.

A job "run by another process" is claimed here (job_running records this process as its
worker) and then handed over: its pid is changed to a process that has ended (or to this one,
alive), and this process forgets its claim, as the other process would have had it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from kehu.audit.models import AuditEntry
from kehu.core import jobs
from kehu.core.jobs import (
    MAX_RESUMES,
    JobGaveUp,
    JobInterrupted,
    JobLost,
    job_finish,
    job_progress,
    job_reap,
    job_requeue,
    job_running,
    job_start,
    job_stop_request,
    jobs_stale,
)
from kehu.core.models import Job

pytestmark = pytest.mark.django_db
# The worker (db_worker, in this process) closes and reopens connections: committed data.
worker_runs = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@task()
def sample_job(job_id: int, label: str) -> str:
    job_running(job_id, total=1)
    job_progress(job_id, done=1)
    job_finish(job_id, result={"label": label})
    return label


@task()
def forgetful_job(job_id: int) -> None:
    """Claims its job and returns without finishing it."""
    job_running(job_id, total=1)


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    yield
    jobs._claims.clear()
    jobs._lost.clear()
    jobs._stop.clear()


def _start(actor: Any, capture: Any, *, resumable: bool = True, task: Any = None) -> Job:
    with capture(execute=True):
        job = job_start(
            kind="test.sample",
            title="Sample",
            actor=actor,
            task=task or sample_job,
            is_resumable=resumable,
            **({} if task else {"label": "x"}),
        )
    job.refresh_from_db()
    return job


def _claimed_elsewhere(job: Job, *, pid: int | None = None) -> Job:
    """As if a worker took the job's task and claimed it: then it is that process's (`pid`)."""
    DBTaskResult.objects.filter(id=job.task_result_id).update(status="RUNNING")
    job_running(job.pk, total=10)
    job_progress(job.pk, done=3)
    jobs._claims.pop(job.pk)  # this process is not the one running it
    if pid is not None:
        Job.objects.filter(pk=job.pk).update(worker_pid=pid)
    job.refresh_from_db()
    return job


def _ended_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _page(client: Any, user: Any, job: Job, language: str = "zh-hans") -> str:
    client.force_login(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/jobs/{job.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_job_is_claimed_by_one_worker_only(admin_user, django_capture_on_commit_callbacks):
    job = _start(admin_user, django_capture_on_commit_callbacks)
    claimed = job_running(job.pk, total=5)
    assert (claimed.status, claimed.attempt, claimed.worker_pid) == ("running", 1, os.getpid())
    assert claimed.worker_host and claimed.heartbeat_at

    with pytest.raises(JobLost):
        job_running(job.pk, total=5)  # a second task result for the same job
    job.refresh_from_db()
    assert (job.status, job.attempt, job.total) == ("running", 1, 5)


@worker_runs
def test_a_dead_workers_import_like_job_is_resumed_once_and_audited(
    admin_user, django_capture_on_commit_callbacks
):
    job = _claimed_elsewhere(
        _start(admin_user, django_capture_on_commit_callbacks), pid=_ended_pid()
    )
    first_task = job.task_result_id
    out = StringIO()
    call_command("jobs_reap", stdout=out)

    job.refresh_from_db()
    assert (job.status, job.stop, job.resumed) == ("queued", "worker_gone", 1)
    assert str(job.worker_pid) in job.message
    assert job.task_result_id != first_task
    assert DBTaskResult.objects.get(id=first_task).status == "FAILED"  # not "running" for ever
    again = DBTaskResult.objects.get(id=job.task_result_id)
    assert (again.status, again.args_kwargs["kwargs"]) == (
        "READY",
        {"job_id": job.pk, "label": "x"},
    )
    assert f"job {job.pk} test.sample resumed" in out.getvalue()
    entry = AuditEntry.objects.get(action="job.stale_resumed")
    assert entry.target_id == str(job.pk) and entry.changes["kind"] == "test.sample"

    call_command("jobs_reap", stdout=StringIO())  # nothing stale any more: nothing changes
    assert AuditEntry.objects.filter(action__startswith="job.stale").count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.result, job.attempt) == ("succeeded", {"label": "x"}, 2)


@worker_runs
def test_the_worker_reaps_when_it_starts(admin_user, django_capture_on_commit_callbacks):
    job = _claimed_elsewhere(
        _start(admin_user, django_capture_on_commit_callbacks), pid=_ended_pid()
    )
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.resumed, job.result) == ("succeeded", 1, {"label": "x"})
    assert AuditEntry.objects.filter(action="job.stale_resumed", target_id=str(job.pk)).exists()


def test_two_reapers_resume_a_job_once(admin_user, django_capture_on_commit_callbacks):
    job = _claimed_elsewhere(
        _start(admin_user, django_capture_on_commit_callbacks), pid=_ended_pid()
    )
    [(seen, stop)] = jobs_stale()
    [(seen_again, _)] = jobs_stale()  # two workers found it stale at once
    assert job_reap(seen, stop) == "resumed"
    assert job_reap(seen_again, stop) is None
    job.refresh_from_db()
    assert job.resumed == 1
    assert DBTaskResult.objects.filter(task_path__endswith="sample_job").count() == 2


def test_a_dead_workers_other_job_fails_and_the_page_says_why(
    client, admin_user, django_capture_on_commit_callbacks
):
    job = _claimed_elsewhere(
        _start(admin_user, django_capture_on_commit_callbacks, resumable=False),
        pid=_ended_pid(),
    )
    call_command("jobs_reap", stdout=StringIO())
    job.refresh_from_db()
    assert (job.status, job.stop, job.resumed) == ("failed", "worker_gone", 0)
    assert job.finished_at is not None
    assert AuditEntry.objects.filter(action="job.stale_failed", target_id=str(job.pk)).exists()

    english = _page(client, admin_user, job, "en")
    assert "Failed: the worker stopped." in english
    assert "The worker process stopped" in english
    chinese = _page(client, admin_user, job)
    assert "失败：工作进程已停止。" in chinese and "运行中" not in chinese


def test_the_page_never_shows_running_for_a_dead_worker(
    client, admin_user, django_capture_on_commit_callbacks
):
    job = _claimed_elsewhere(
        _start(admin_user, django_capture_on_commit_callbacks), pid=_ended_pid()
    )
    chinese = _page(client, admin_user, job)  # no reaper has run yet
    assert "已失联" in chinese and "运行中" not in chinese
    assert "No sign of life" in _page(client, admin_user, job, "en")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    listing = client.get("/jobs/").content.decode()
    assert "已失联" in listing and "运行中" not in listing

    call_command("jobs_reap", stdout=StringIO())
    assert "已失联 → 已恢复" in _page(client, admin_user, job)
    assert "Stale → resumed" in _page(client, admin_user, job, "en")


def test_a_live_worker_on_this_host_keeps_its_job(
    admin_user, django_capture_on_commit_callbacks, settings
):
    settings.KEHU_JOB_STALE_SECONDS = 60
    job = _claimed_elsewhere(_start(admin_user, django_capture_on_commit_callbacks))
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=2))
    assert jobs_stale() == []  # its process (this one) is alive: slow, not dead
    call_command("jobs_reap", stdout=StringIO())
    job.refresh_from_db()
    assert (job.status, job.attempt, job.resumed) == ("running", 1, 0)


def test_a_silent_job_on_another_host_is_stale_after_the_setting(
    admin_user, django_capture_on_commit_callbacks, settings
):
    settings.KEHU_JOB_STALE_SECONDS = 600
    job = _claimed_elsewhere(_start(admin_user, django_capture_on_commit_callbacks))
    Job.objects.filter(pk=job.pk).update(
        worker_host="worker-2.example", heartbeat_at=timezone.now() - timedelta(seconds=590)
    )
    assert jobs_stale() == []
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=610))
    assert [(stale.pk, stop) for stale, stop in jobs_stale()] == [(job.pk, "silent")]
    call_command("jobs_reap", stdout=StringIO())
    job.refresh_from_db()
    assert (job.status, job.stop) == ("queued", "silent")
    assert "worker-2.example" in job.message


def test_a_reaped_attempt_stops_and_writes_nothing(admin_user, django_capture_on_commit_callbacks):
    """A worker taken for dead (a machine frozen past the stale limit) wakes up: it may not
    write over the attempt that resumed its job."""
    job = _start(admin_user, django_capture_on_commit_callbacks)
    job_running(job.pk, total=10)
    job.refresh_from_db()
    assert job_reap(job, Job.Stop.SILENT) == "resumed"

    with pytest.raises(JobLost):
        job_progress(job.pk, done=9)
    job_finish(job.pk, result={"label": "late"})
    job.refresh_from_db()
    assert (job.status, job.done, job.result) == ("queued", 0, {})


def test_a_shutdown_stops_resumable_jobs_at_their_next_report(
    admin_user, django_capture_on_commit_callbacks
):
    resumable = _start(admin_user, django_capture_on_commit_callbacks)
    other = _start(admin_user, django_capture_on_commit_callbacks, resumable=False)
    job_running(resumable.pk, total=10)
    job_running(other.pk, total=10)
    job_stop_request()

    job_progress(other.pk, done=2)  # runs to its end, as the library's worker wants
    with pytest.raises(JobInterrupted):
        job_progress(resumable.pk, done=4)
    note = "The worker was stopped after row 4."
    assert job_requeue(resumable.pk, stop=Job.Stop.SHUTDOWN, note=note)
    resumable.refresh_from_db()
    assert (resumable.status, resumable.stop, resumable.done) == ("queued", "shutdown", 4)
    assert resumable.resumed == 0 and resumable.message == note
    assert DBTaskResult.objects.get(id=resumable.task_result_id).status == "READY"


def test_a_job_resumed_too_often_fails(admin_user, django_capture_on_commit_callbacks):
    job = _start(admin_user, django_capture_on_commit_callbacks)
    Job.objects.filter(pk=job.pk).update(resumed=MAX_RESUMES + 1)
    with pytest.raises(JobGaveUp) as raised:
        job_running(job.pk, total=10)
    job_finish(job.pk, error=str(raised.value))  # what a task's failure path does
    job.refresh_from_db()
    assert job.status == "failed" and str(MAX_RESUMES + 1) in job.message


def test_a_queued_job_whose_task_ended_is_marked_failed(
    admin_user, django_capture_on_commit_callbacks
):
    job = _start(admin_user, django_capture_on_commit_callbacks, resumable=False)
    DBTaskResult.objects.filter(id=job.task_result_id).update(status="FAILED")  # never claimed it
    call_command("jobs_reap", stdout=StringIO())
    job.refresh_from_db()
    assert (job.status, job.stop) == ("failed", "task_ended")


@worker_runs
def test_a_task_that_leaves_its_job_running_is_settled(
    admin_user, django_capture_on_commit_callbacks
):
    job = _start(admin_user, django_capture_on_commit_callbacks, task=forgetful_job)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.stop) == ("failed", "task_ended")
    assert AuditEntry.objects.filter(action="job.stale_failed", target_id=str(job.pk)).exists()
