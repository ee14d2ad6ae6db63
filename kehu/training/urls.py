from django.urls import path

from . import views

urlpatterns = [
    path("training/", views.hub, name="training-hub"),
    path("training/enter/", views.enter, name="training-enter"),
    path("training/leave/", views.leave, name="training-leave"),
    path("training/workspaces/new/", views.workspace_new, name="training-workspace-new"),
    path(
        "training/workspaces/<int:workspace_id>/reset/",
        views.workspace_reset,
        name="training-workspace-reset",
    ),
    path("training/scenarios/<str:scenario_id>/", views.scenario, name="training-scenario"),
    path(
        "training/scenarios/<str:scenario_id>/materials/<str:file>",
        views.scenario_material,
        name="training-scenario-material",
    ),
    path(
        "training/scenarios/<str:scenario_id>/check/",
        views.scenario_check,
        name="training-scenario-check",
    ),
    path("training/assessment/start/", views.assessment_start, name="training-assessment-start"),
    path(
        "training/assessment/<int:assessment_id>/",
        views.assessment,
        name="training-assessment",
    ),
    path(
        "training/assessment/<int:assessment_id>/finish/",
        views.assessment_finish,
        name="training-assessment-finish",
    ),
    path(
        "training/certificates/<int:certificate_id>/",
        views.certificate,
        name="training-certificate",
    ),
    path(
        "training/certificates/<int:certificate_id>/pdf/",
        views.certificate_pdf,
        name="training-certificate-pdf",
    ),
]
