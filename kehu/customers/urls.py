from django.urls import path

from . import audit_views, views

urlpatterns = [
    path("audit/", audit_views.audit_page, name="audit-log"),
    path("customers/", views.customer_list, name="customer-list"),
    path("dictionaries/sub-industries/", views.sub_industry_options, name="sub-industry-options"),
    path("dictionaries/regions/", views.region_select_options, name="region-options"),
    path("customers/new/", views.customer_create, name="customer-create"),
    path("customers/<str:customer_no>/edit/", views.customer_edit, name="customer-edit"),
]
