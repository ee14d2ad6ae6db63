from django.urls import path

from . import views

urlpatterns = [
    path("segments/", views.segment_list, name="segment-list"),
    path("segments/new/", views.segment_new, name="segment-new"),
    path("segments/preview/", views.segment_preview, name="segment-preview"),
    path("segments/<int:segment_id>/", views.segment_detail, name="segment-detail"),
    path("segments/<int:segment_id>/count/", views.segment_count_cell, name="segment-count"),
    path("segments/<int:segment_id>/edit/", views.segment_edit, name="segment-edit"),
    path("segments/<int:segment_id>/delete/", views.segment_delete, name="segment-delete"),
]
