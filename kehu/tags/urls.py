from django.urls import path

from . import views

urlpatterns = [
    path("settings/tags/", views.tag_settings, name="tag-settings"),
    path("settings/tags/<int:tag_id>/", views.tag_edit, name="tag-edit"),
    path("settings/tags/<int:tag_id>/retire/", views.tag_retire_view, name="tag-retire"),
    path("settings/tags/types/<int:type_id>/", views.tag_type_edit, name="tag-type-edit"),
    path("tags/request/", views.tag_request_view, name="tag-request"),
    path("customers/<str:customer_no>/tags/", views.customer_tags_panel, name="customer-tags"),
]
