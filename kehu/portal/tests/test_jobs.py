from __future__ import annotations

from kehu.core.jobs import job_finish, job_running
from kehu.core.models import Job


def test_admin_starts_quality_refresh_and_sees_its_progress(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/jobs/quality-refresh/")
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == f"/jobs/{job.pk}/"
    assert job.started_by == admin_user
    assert job.task_result_id
    page = client.get(response.url).content.decode()
    assert 'id="job-progress"' in page
    assert 'hx-trigger="every 2s"' in page
    job_running(job.pk, total=10)
    partial = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="job-progress"')
    job_finish(job.pk, result={"checked": 10, "changed": 2})
    done = client.get(response.url).content.decode()
    assert 'data-status="succeeded"' in done
    assert "every 2s" not in done


def test_only_admins_start_jobs_and_others_jobs_are_hidden(client, admin_user, rep):
    client.force_login(rep)
    assert client.post("/jobs/quality-refresh/").status_code == 403
    assert Job.objects.count() == 0
    job = Job.objects.create(kind="x", title="管理员的任务", started_by=admin_user)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert "管理员的任务" not in client.get("/jobs/").content.decode()
