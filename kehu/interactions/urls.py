from django.urls import path

from . import calendar_views, task_views, views

urlpatterns = [
    path("follow-ups/", views.followup_list, name="followup-list"),
    path("follow-ups/<int:follow_up_id>/done/", views.followup_done, name="followup-done"),
    path(
        "follow-ups/<int:follow_up_id>/snooze/", task_views.followup_snooze, name="followup-snooze"
    ),
    path("follow-ups/<int:follow_up_id>/edit/", task_views.followup_edit, name="followup-edit"),
    path(
        "customers/<str:customer_no>/follow-ups/new/", task_views.followup_new, name="followup-new"
    ),
    path("my-day/", task_views.my_day, name="my-day"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/feed/", calendar_views.calendar_feed_new, name="calendar-feed-new"),
    path("calendar/feed/revoke/", calendar_views.calendar_feed_end, name="calendar-feed-revoke"),
    path("calendar/ics/<str:token>.ics", calendar_views.calendar_feed, name="calendar-ics"),
]
