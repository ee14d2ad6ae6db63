from django.urls import path

from . import views

urlpatterns = [
    path("users/", views.user_list, name="collab-users"),
    path("users/<int:user_id>/handover/", views.handover, name="collab-handover"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notification_read_all, name="notification-read-all"),
]
