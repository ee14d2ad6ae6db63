from django.urls import path

from . import views

urlpatterns = [
    path("privacy/requests/", views.request_list, name="privacy-requests"),
    path("privacy/requests/<int:request_id>/", views.request_detail, name="privacy-request"),
    path(
        "privacy/requests/<int:request_id>/export.json",
        views.request_export,
        name="privacy-request-export",
    ),
    path("settings/retention/", views.retention_settings, name="retention-settings"),
    path(
        "customers/<str:customer_no>/consents/",
        views.customer_consents,
        name="customer-consents",
    ),
    path(
        "customers/<str:customer_no>/consents/record/",
        views.customer_consent_record,
        name="customer-consent-record",
    ),
    path(
        "customers/<str:customer_no>/consents/withdraw/",
        views.customer_consent_withdraw,
        name="customer-consent-withdraw",
    ),
]
