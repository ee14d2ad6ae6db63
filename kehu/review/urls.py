from django.urls import path

from . import views

urlpatterns = [
    path("review/", views.review_list, name="review-list"),
    path("review/<int:item_id>/", views.review_detail, name="review-detail"),
    path(
        "review/<int:item_id>/<str:decision>/",
        views.review_decide_view,
        name="review-decide",
    ),
    path("approvals/", views.approvals_redirect, name="change-request-list"),
]
