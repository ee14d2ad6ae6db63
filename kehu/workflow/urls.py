from django.urls import path

from . import views

urlpatterns = [
    path("settings/rules/", views.rule_list, name="rule-list"),
    path("settings/rules/<int:rule_id>/", views.rule_edit, name="rule-edit"),
    path("settings/rules/<int:rule_id>/toggle/", views.rule_toggle, name="rule-toggle"),
    path("settings/rules/<int:rule_id>/delete/", views.rule_delete, name="rule-delete"),
    path("settings/webhooks/", views.webhook_list, name="webhook-list"),
    path("settings/webhooks/<int:webhook_id>/", views.webhook_edit, name="webhook-edit"),
    path("settings/webhooks/<int:webhook_id>/test/", views.webhook_test, name="webhook-test"),
    path("settings/webhooks/<int:webhook_id>/delete/", views.webhook_delete, name="webhook-delete"),
]
