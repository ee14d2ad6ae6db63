"""The timed assessment, the certificate (its score is the steps passed), and the setting that
asks for a certificate before importing or merging in the live system."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.customers.services import customer_create
from kehu.intake.models import ImportRun
from kehu.training.models import Certificate
from kehu.training.pdf import pdf_available

from .conftest import inside
from .test_drills import solve_card, solve_export, solve_import
from .test_scenarios import STANDARD


def solve_merge(client, api, workspace):
    with inside(workspace):
        won, other = Customer.objects.filter(name__startswith="苏州培训精工机械").order_by("id")
    client.post("/training/enter/")
    response = api.post("/api/v1/dedupe/merge", {"survivor": other.pk, "merged": won.pk})
    assert response.status_code == 200, response.content


def test_the_score_is_the_steps_passed_and_a_low_score_earns_no_certificate(
    client, api, workspace_for, steward
):
    workspace = workspace_for(steward)
    api.login(steward)
    started = api.post("/api/v1/training/assessments")
    assert started.status_code == 201, started.content
    body = started.json()
    # The steward's scenarios' steps: create, log, merge, import, card, export, analysis.
    assert body["max_score"] == 4 + 5 + 2 + 3 + 2 + 2 + 1
    assert api.post("/api/v1/training/assessments").status_code == 409  # one at a time
    solve_merge(client, api, workspace)
    solve_export(client, workspace)
    finished = api.post(f"/api/v1/training/assessments/{body['id']}/finish", {"answers": {}})
    assert finished.status_code == 200, finished.content
    result = finished.json()
    passed = sum(s["passed"] for item in result["results"] for s in item["steps"])
    assert result["score"] == passed == 2 + 2
    by_scenario = {r["scenario"]: [s["passed"] for s in r["steps"]] for r in result["results"]}
    assert by_scenario["drill-report-export"] == [True, True]
    assert by_scenario["drill-import-fix"] == [False, False, False]
    assert result["certificate"] is None
    assert not Certificate.objects.exists()


def test_a_full_score_earns_the_certificate_page_and_pdf(client, api, workspace_for, steward):
    workspace = workspace_for(steward)
    api.login(steward)
    assessment = api.post("/api/v1/training/assessments").json()
    client.post("/training/enter/")
    # A steward names the owner (a rep's own customers are theirs).
    number = api.post("/api/v1/customers", {**STANDARD, "owner": "steward"}).json()["customer_no"]
    response = api.post(
        f"/api/v1/customers/{number}/interactions",
        {
            "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "method": "visit",
            "topic": "需求调研",
            "summary": "了解了产线改造计划。",
            "feedback": "interested",
            "next_action": "提交方案",
            "next_action_due": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    solve_merge(client, api, workspace)
    solve_import(client, api, workspace)
    solve_card(api)
    solve_export(client, workspace)
    choices = [""]
    from kehu.training.checks.analysis import best_source_this_quarter

    with inside(workspace):
        best = best_source_this_quarter(timezone.localdate())
        assert best is not None
        choices = [best.code]
    finished = api.post(
        f"/api/v1/training/assessments/{assessment['id']}/finish",
        {"answers": {"source": choices[0]}},
    ).json()
    passed = sum(s["passed"] for item in finished["results"] for s in item["steps"])
    failed = [
        s["message"] for item in finished["results"] for s in item["steps"] if not s["passed"]
    ]
    assert failed == []
    assert finished["score"] == passed == finished["max_score"] == 19
    certificate = Certificate.objects.get(pk=finished["certificate"])
    assert certificate.score == passed and certificate.trainee == steward
    assert {v["id"]: v["version"] for v in certificate.scenario_versions} == {
        "basic-create-customer": 1,
        "basic-log-interaction": 1,
        "drill-merge-duplicate": 1,
        "drill-import-fix": 1,
        "drill-capture-card": 1,
        "drill-report-export": 1,
        "analysis-best-source": 1,
    }
    assert AuditEntry.objects.filter(action="training.certified").count() == 1
    page = client.get(f"/training/certificates/{certificate.pk}/").content.decode()
    assert "何数据" in page and "19/19" in page and "v1" in page
    api_body = api.get(f"/api/v1/training/certificates/{certificate.pk}").json()
    assert api_body["score"] == 19
    if not pdf_available():
        pytest.skip("fonts-wqy-microhei is not installed: no PDF")
    pdf = client.get(f"/training/certificates/{certificate.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_after_the_deadline_nothing_scores(client, api, workspace_for, steward):
    workspace = workspace_for(steward)
    api.login(steward)
    assessment = api.post("/api/v1/training/assessments").json()
    solve_merge(client, api, workspace)
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        finished = api.post(f"/api/v1/training/assessments/{assessment['id']}/finish", {}).json()
    assert finished["score"] == 0 and finished["certificate"] is None


def test_another_trainee_cannot_see_a_certificate(api, workspace_for, steward, rep, outsider):
    from kehu.training.models import Assessment

    workspace = workspace_for(rep)
    assessment = Assessment.objects.create(
        trainee=rep, workspace=workspace, deadline=timezone.now(), max_score=1
    )
    certificate = Certificate.objects.create(
        trainee=rep, assessment=assessment, score=1, max_score=1
    )
    api.login(outsider)
    assert api.get(f"/api/v1/training/certificates/{certificate.pk}").status_code == 404
    api.login(rep)
    assert api.get(f"/api/v1/training/certificates/{certificate.pk}").status_code == 200


CSV = "客户名称,手机\n杭州认证测试有限公司,13900002222\n".encode()


def test_the_setting_requires_a_certificate_to_import_and_merge(
    settings, client, api, admin_user, steward
):
    settings.KEHU_TRAINING_REQUIRE_CERTIFICATION = True
    client.force_login(steward)
    response = client.post(
        "/api/v1/imports", {"file": SimpleUploadedFile("a.csv", CSV, content_type="text/csv")}
    )
    assert response.status_code == 403
    assert "培训证书" in response.json()["detail"]
    assert not ImportRun.objects.exists()
    one = customer_create(
        actor=admin_user, data={"name": "宁波认证合并有限公司", "phone": "0574-87001234"}
    )
    two = customer_create(
        actor=admin_user,
        data={"name": "宁波认证合并有限公司", "phone": "0574-87001235", "allow_duplicate": True},
    )
    api.login(steward)
    response = api.post("/api/v1/dedupe/merge", {"survivor": one.pk, "merged": two.pk})
    assert response.status_code == 403
    assert "培训证书" in response.json()["detail"]
    assert Customer.objects.filter(pk__in=[one.pk, two.pk]).count() == 2
    # Certified: both are allowed.
    from kehu.training.models import Assessment, Workspace

    workspace = Workspace.objects.create(trainee=steward, created_by=admin_user, template_key="x")
    assessment = Assessment.objects.create(
        trainee=steward, workspace=workspace, deadline=timezone.now(), max_score=1, score=1
    )
    Certificate.objects.create(trainee=steward, assessment=assessment, score=1, max_score=1)
    response = api.post("/api/v1/dedupe/merge", {"survivor": one.pk, "merged": two.pk})
    assert response.status_code == 200, response.content
    response = client.post(
        "/api/v1/imports", {"file": SimpleUploadedFile("a.csv", CSV, content_type="text/csv")}
    )
    assert response.status_code == 202, response.content


def test_without_the_setting_no_certificate_is_needed(settings, client, steward):
    settings.KEHU_TRAINING_REQUIRE_CERTIFICATION = False
    client.force_login(steward)
    response = client.post(
        "/api/v1/imports", {"file": SimpleUploadedFile("a.csv", CSV, content_type="text/csv")}
    )
    assert response.status_code == 202, response.content
