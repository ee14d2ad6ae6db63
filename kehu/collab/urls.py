from django.urls import path

from . import views

urlpatterns = [
    path("users/", views.user_list, name="collab-users"),
    path("users/<int:user_id>/handover/", views.handover, name="collab-handover"),
    path("pool/", views.pool_list, name="pool-list"),
    path("pool/<str:customer_no>/claim/", views.pool_claim, name="pool-claim"),
    path("pool/<str:customer_no>/return/", views.pool_return, name="pool-return"),
    path("teams/", views.team_settings, name="team-settings"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notification_read_all, name="notification-read-all"),
]
