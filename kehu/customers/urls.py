from django.urls import path

from . import audit_views, custom_field_views, views

urlpatterns = [
    path("audit/", audit_views.audit_page, name="audit-log"),
    path("audit/checkpoints/", audit_views.audit_checkpoints_page, name="audit-checkpoints"),
    path("audit/export-reports/", audit_views.export_reports_page, name="audit-export-reports"),
    path(
        "audit/<int:entry_id>/report/",
        audit_views.export_report_create,
        name="audit-export-report",
    ),
    path("customers/", views.customer_list, name="customer-list"),
    path("dictionaries/sub-industries/", views.sub_industry_options, name="sub-industry-options"),
    path("dictionaries/regions/", views.region_select_options, name="region-options"),
    path("customers/new/", views.customer_create, name="customer-create"),
    path("saved-views/", views.saved_view_save, name="saved-view-save"),
    path("saved-views/<int:view_id>/delete/", views.saved_view_delete, name="saved-view-delete"),
    path("customers/<str:customer_no>/edit/", views.customer_edit, name="customer-edit"),
    path(
        "settings/custom-fields/",
        custom_field_views.custom_field_list,
        name="custom-field-list",
    ),
    path(
        "settings/custom-fields/<int:field_id>/",
        custom_field_views.custom_field_edit,
        name="custom-field-edit",
    ),
    path(
        "settings/custom-fields/<int:field_id>/archive/",
        custom_field_views.custom_field_archive,
        name="custom-field-archive",
    ),
]
