from django.urls import path

from . import rules_views

urlpatterns = [
    path("settings/tag-rules/", rules_views.tag_rule_list, name="tag-rule-list"),
    path("settings/tag-rules/<int:rule_id>/", rules_views.tag_rule_edit, name="tag-rule-edit"),
    path(
        "settings/tag-rules/<int:rule_id>/preview/",
        rules_views.tag_rule_preview,
        name="tag-rule-preview",
    ),
    path("settings/tag-rules/<int:rule_id>/run/", rules_views.tag_rule_run, name="tag-rule-run"),
    path(
        "settings/tag-rules/decay/<int:rule_id>/",
        rules_views.tag_decay_edit,
        name="tag-decay-edit",
    ),
    path(
        "settings/tag-rules/decay/<int:rule_id>/preview/",
        rules_views.tag_decay_preview,
        name="tag-decay-preview",
    ),
]
