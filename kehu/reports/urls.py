from django.urls import path

from . import views

urlpatterns = [
    path("quality/", views.quality_dashboard, name="quality-dashboard"),
    path("quality/audit/", views.quality_audit, name="quality-audit"),
    path(
        "quality/audit/export.csv",
        views.quality_audit_export,
        {"file_format": "csv"},
        name="quality-audit-csv",
    ),
    path(
        "quality/audit/export.xlsx",
        views.quality_audit_export,
        {"file_format": "xlsx"},
        name="quality-audit-xlsx",
    ),
]
