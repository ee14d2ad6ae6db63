"""Reporting an export as suspicious: from the audit page or POST /api/v1/audit/export-reports,
by the log's readers only, one report per export, audited, the administrators told; the reports
listed on /audit/export-reports/ and by the API."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import Notification, Role
from kehu.audit.actions import AuditAction
from kehu.audit.models import AuditEntry, ExportReport
from kehu.audit.services import audit_record
from kehu.conftest import make_user

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/audit/export-reports"


def _export(actor: Any, rows: int = 500, filters: dict[str, str] | None = None) -> AuditEntry:
    return audit_record(
        actor=actor,
        action=AuditAction.CUSTOMERS_EXPORTED,
        changes={"format": "xlsx", "rows": rows, "filters": filters or {}},
    )


def test_a_steward_reports_an_export_and_the_admins_see_it(api, client, rep, admin_user):
    steward = make_user("steward", Role.STEWARD, display_name="何数据")
    entry = _export(rep)
    api.login(steward)
    response = api.post(REPORTS, {"entry": entry.pk, "reason": "  周日深夜导出全部客户  "})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["entry"], body["exported_by"], body["rows"]) == (entry.pk, "张销售", 500)
    assert (body["reason"], body["reported_by"]) == ("周日深夜导出全部客户", "何数据")
    logged = AuditEntry.objects.get(action="audit.export_reported")
    assert logged.actor == steward and logged.changes["exported_by"] == [None, "rep"]
    note = Notification.objects.get(user=admin_user)
    assert "张销售" in note.message and note.link == "/audit/export-reports/"
    # Once only: the second report says who reported it.
    again = api.post(REPORTS, {"entry": entry.pk, "reason": "再报一次"})
    assert again.status_code == 409 and "何数据" in again.json()["detail"]
    api.login(admin_user)
    listed = api.get(REPORTS).json()
    assert [r["reason"] for r in listed] == ["周日深夜导出全部客户"]
    page = client.get("/audit/export-reports/").content.decode()
    assert "周日深夜导出全部客户" in page and "张销售" in page
    audit_page = client.get("/audit/", {"action": "customers.exported"}).content.decode()
    assert f'id="reported-{entry.pk}"' in audit_page
    assert f'id="report-form-{entry.pk}"' not in audit_page


def test_bad_reports_name_the_field_and_write_nothing(api, rep, admin_user):
    entry = _export(rep)
    other = audit_record(actor=rep, action=AuditAction.CUSTOMER_CREATED)
    api.login(admin_user)
    response = api.post(REPORTS, {"entry": entry.pk, "reason": "   "})
    assert response.status_code == 422 and "reason" in response.json()["errors"]
    response = api.post(REPORTS, {"entry": other.pk, "reason": "不是导出"})
    assert response.status_code == 422 and "entry" in response.json()["errors"]
    assert api.post(REPORTS, {"entry": 10**9, "reason": "无"}).status_code == 404
    assert not ExportReport.objects.exists()
    assert not AuditEntry.objects.filter(action="audit.export_reported").exists()


def test_only_the_logs_readers_report_or_list(api, client, rep, manager):
    entry = _export(manager)
    for user in (rep, manager):
        api.login(user)
        assert api.post(REPORTS, {"entry": entry.pk, "reason": "可疑"}).status_code == 403
        assert api.get(REPORTS).status_code == 403
        client.force_login(user)
        assert client.get("/audit/export-reports/").status_code == 403
        assert client.post(f"/audit/{entry.pk}/report/", {"reason": "可疑"}).status_code == 403
    assert not ExportReport.objects.exists()


def test_the_audit_page_reports_with_a_form(client, rep, admin_user):
    entry = _export(rep, rows=12, filters={"status": "won"})
    client.force_login(admin_user)
    page = client.get("/audit/", {"action": "customers.exported"}).content.decode()
    assert f'id="report-form-{entry.pk}"' in page and "上报可疑导出" in page
    empty = client.post(f"/audit/{entry.pk}/report/", {"reason": "", "next": "/audit/"})
    assert empty.status_code == 302 and empty["Location"] == "/audit/"
    assert not ExportReport.objects.exists()
    done = client.post(f"/audit/{entry.pk}/report/", {"reason": "导出人已提交离职"})
    assert done.status_code == 302 and done["Location"] == "/audit/export-reports/"
    assert ExportReport.objects.get().reported_by == admin_user
    page = client.get("/audit/export-reports/").content.decode()
    assert "导出人已提交离职" in page and "status=won" in page
