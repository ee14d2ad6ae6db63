"""A finished job's result ({"pairs": 352, "new": 352}) as lines people read, in their language.

The keys are the tasks' own (job_finish(result=…)); a kind may name a key its own way (a duplicate
scan's "new" pairs, a tag rule's "new" tags), else the shared label is used, else the key."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

RESULT_LABELS: dict[str, Any] = {
    "rows": _("Rows read"),
    "created": _("Created"),
    "updated": _("Updated"),
    "skipped": _("Skipped"),
    "failed": _("Failed"),
    "incomplete": _("Incomplete"),
    "documents": _("Search entries written"),
    "customers": _("Customers"),
    "purged": _("Files deleted"),
    "checked": _("Customers checked"),
    "changed": _("Changed"),
}

KIND_RESULT_LABELS: dict[str, dict[str, Any]] = {
    "dedupe.scan": {"pairs": _("Candidate pairs"), "new": _("New pairs")},
    "tags.keyword_rule_run": {
        "matched": _("Customers matched"),
        "new": _("Newly tagged"),
        "refreshed": _("Tags refreshed"),
    },
}


def job_result_lines(kind: str, result: dict[str, Any]) -> list[tuple[str, Any]]:
    """[(label, value)] of a job's result, in the result's order."""
    own = KIND_RESULT_LABELS.get(kind, {})
    return [
        (str(own.get(key) or RESULT_LABELS.get(key) or key), value) for key, value in result.items()
    ]
