from django.urls import path

from . import propensity_views as views

urlpatterns = [
    path("settings/value/propensity/", views.propensity_page, name="value-propensity"),
    path(
        "settings/value/propensity/train/",
        views.propensity_train_request,
        name="value-propensity-train",
    ),
    path("settings/value/freshness/", views.freshness_page, name="value-freshness"),
    path("settings/value/freshness/triggers/new/", views.trigger_edit, name="value-trigger-new"),
    path(
        "settings/value/freshness/triggers/<int:trigger_id>/",
        views.trigger_edit,
        name="value-trigger-edit",
    ),
]
