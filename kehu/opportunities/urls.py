from django.urls import path

from . import settings_views, views

urlpatterns = [
    path("opportunities/", views.opportunity_board, name="opportunity-board"),
    path("opportunities/forecast/", views.opportunity_forecast, name="opportunity-forecast"),
    path(
        "opportunities/<int:opportunity_id>/", views.opportunity_detail, name="opportunity-detail"
    ),
    path(
        "opportunities/<int:opportunity_id>/stage/",
        views.opportunity_stage,
        name="opportunity-stage",
    ),
    path(
        "opportunities/<int:opportunity_id>/lines/",
        views.opportunity_lines,
        name="opportunity-lines",
    ),
    path("settings/pipeline/", settings_views.pipeline_settings, name="pipeline-settings"),
    path(
        "settings/pipeline/lost-reasons/",
        settings_views.lost_reason_edit,
        name="lost-reason-save",
    ),
    path(
        "settings/pipeline/probabilities/",
        settings_views.stage_probability_edit,
        name="stage-probability-save",
    ),
    path("settings/pipeline/products/", settings_views.product_edit, name="product-save"),
]
