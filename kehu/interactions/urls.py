from django.urls import path

from . import views

urlpatterns = [
    path("follow-ups/", views.followup_list, name="followup-list"),
    path("follow-ups/<int:follow_up_id>/done/", views.followup_done, name="followup-done"),
]
