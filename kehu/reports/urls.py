from django.urls import path

from . import views
from .analyses import settings_views as analyses_settings
from .analyses import views as analyses
from .analyses.registry import ANALYSES
from .health import views as health_views

urlpatterns = [
    path("", analyses.analyses_index, name="analyses-index"),
    path("source-costs/", analyses_settings.source_costs_page, name="source-costs"),
    path("targets/", analyses_settings.targets_page, name="targets"),
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
    # The six analyses (kehu/reports/analyses/registry.py), each its own page name.
    *(
        path(f"{name}/", analyses.analysis_page, {"name": name}, name=f"analysis-{name}")
        for name in ANALYSES
    ),
]

# The named reports (issue 18): customer health, high-value churn, dormancy, the KPI sheet.
urlpatterns += [
    path("health/", health_views.report_health, name="report-health"),
    path("churn/", health_views.report_churn, name="report-churn"),
    path("dormancy/", health_views.report_dormancy, name="report-dormancy"),
    path("kpi/", health_views.report_kpi, name="report-kpi"),
]
