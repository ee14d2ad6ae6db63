from django.urls import path

from . import approvals_views, audit_views, views

urlpatterns = [
    path("audit/", audit_views.audit_page, name="audit-log"),
    path("approvals/", approvals_views.change_request_list, name="change-request-list"),
    path(
        "approvals/<int:request_id>/<str:decision>/",
        approvals_views.change_request_decide,
        name="change-request-decide",
    ),
    path("customers/", views.customer_list, name="customer-list"),
    path("customers/new/", views.customer_create, name="customer-create"),
    path("customers/<str:customer_no>/edit/", views.customer_edit, name="customer-edit"),
]
