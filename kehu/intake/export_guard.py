"""The volume rule for exports: what a user pulls in a day waits for the manager past a limit.

Called by both export edges (page and API) before anything is written. Rule "export_spike"
(kehu.review) counts per user and day everything pulled: list API pages, search results and
exports together (kehu.customers.pull_volume), so neither split exports nor paging the list API
get round it. An export that would take the day's total past the limit (threshold × the user's
usual daily volume, at least KEHU_EXPORT_BASELINE_ROWS) is held; once a manager approves it, the
requester may download it once within 24 hours, and the limit is lifted for the rest of that day.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.core.errors import ChangeHeld
from kehu.customers.pull_volume import pull_lift, pull_today
from kehu.review.models import ReviewItem, ReviewRule
from kehu.review.rules import active_rule
from kehu.review.services import review_approved_unused, review_hold, review_mark_used

from .exports import customer_export_queryset


def export_guard(*, actor: User, params: dict[str, Any], file_format: str) -> None:
    """Raise ChangeHeld when this export would take today's volume past the limit and no
    approved export covers it."""
    if actor.role == Role.ADMIN:
        return
    rule = active_rule(ReviewRule.Kind.EXPORT_SPIKE)
    if rule is None:
        return
    count = customer_export_queryset(actor, params).count()
    today = pull_today(actor)
    if today.limit is None or today.rows + count <= today.limit:
        return
    approved = review_approved_unused(actor=actor, action=ReviewItem.Action.EXPORT, at_least=count)
    if approved is not None:
        review_mark_used(approved)
        pull_lift(actor)
        return
    reason = _(
        "Export of %(count)s customers; with the %(today)s rows pulled today that passes the "
        "daily limit of %(limit)s (%(factor)s× the usual volume)"
    ) % {
        "count": f"{count:,}",
        "today": f"{today.rows:,}",
        "limit": f"{today.limit:,}",
        "factor": f"{rule.threshold:g}",
    }
    item = review_hold(
        actor=actor,
        action=ReviewItem.Action.EXPORT,
        rule=rule.kind,
        reason=reason,
        payload={"count": count, "format": file_format, "filters": params, "today": today.rows},
        diff=[{"field": "rows", "label": _("rows"), "before": "", "after": str(count)}],
    )
    raise ChangeHeld(
        _("This change waits for review by your manager (#%(id)s): %(reason)s")
        % {"id": item.pk, "reason": reason},
        pending_id=item.pk,
    )
