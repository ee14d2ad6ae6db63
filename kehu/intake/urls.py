from django.urls import path

from . import views

urlpatterns = [
    path("imports/", views.import_list, name="import-list"),
    path("imports/template.csv", views.import_template, name="import-template"),
    path("imports/template.xlsx", views.import_template_xlsx, name="import-template-xlsx"),
    path(
        "imports/presets/<int:preset_id>/delete/",
        views.preset_delete_view,
        name="import-preset-delete",
    ),
    path("imports/<int:run_id>/", views.import_detail, name="import-detail"),
    path("imports/<int:run_id>/progress/", views.import_progress, name="import-progress"),
    path("imports/<int:run_id>/dry-run/", views.import_dry_run, name="import-dry-run"),
    path("imports/<int:run_id>/commit/", views.import_commit, name="import-commit"),
    path("imports/<int:run_id>/revert/", views.import_revert_view, name="import-revert"),
    path("imports/<int:run_id>/report.csv", views.import_report, name="import-report"),
    path("imports/<int:run_id>/failed.csv", views.import_failed_rows, name="import-failed"),
    path(
        "exports/customers.<str:file_format>",
        views.customer_export_view,
        name="customer-export",
    ),
]
