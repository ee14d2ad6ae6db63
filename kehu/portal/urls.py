from django.urls import path

from kehu.reports.dashboard.views import home

from . import contact_views, job_views, views

urlpatterns = [
    path("", home, name="home"),  # the dashboard of the role (kehu.reports.dashboard)
    path("customers/<str:customer_no>/", views.customer_detail, name="customer-detail"),
    path(
        "customers/<str:customer_no>/interactions/",
        views.interaction_list,
        name="interaction-list",
    ),
    path(
        "customers/<str:customer_no>/interactions/new/",
        views.interaction_create,
        name="interaction-create",
    ),
    path("customers/<str:customer_no>/contacts/new/", views.contact_add, name="contact-add"),
    path(
        "customers/<str:customer_no>/opportunities/new/",
        views.opportunity_add,
        name="opportunity-add",
    ),
    path("contacts/<int:contact_id>/edit/", contact_views.contact_edit, name="contact-edit"),
    path(
        "contacts/<int:contact_id>/left/", contact_views.contact_mark_left, name="contact-mark-left"
    ),
    path("contacts/<int:contact_id>/rejoin/", contact_views.contact_rejoin, name="contact-rejoin"),
    path("customers/<str:customer_no>/reveal/", views.customer_reveal, name="customer-reveal"),
    path("contacts/<int:contact_id>/reveal/", views.contact_reveal, name="contact-reveal"),
    path("jobs/", job_views.job_list, name="job-list"),
    path("jobs/quality-refresh/", job_views.job_quality_refresh, name="job-quality-refresh"),
    path("jobs/<int:job_id>/", job_views.job_detail, name="job-detail"),
]
