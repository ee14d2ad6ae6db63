from django.urls import path

from . import views

urlpatterns = [
    path("dedupe/", views.pair_list, name="dedupe-pairs"),
    path("dedupe/scan/", views.scan_start, name="dedupe-scan"),
    path("dedupe/pairs/<int:pair_id>/", views.pair_detail, name="dedupe-pair"),
    path("dedupe/merges/<int:merge_id>/undo/", views.merge_undo, name="dedupe-merge-undo"),
    path("dedupe/rules/", views.rules, name="dedupe-rules"),
    path("dedupe/check/", views.check_partial, name="dedupe-check"),
    path("dedupe/customers/<int:customer_id>/", views.customer_link, name="dedupe-customer-link"),
]
