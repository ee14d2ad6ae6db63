"""The volume rule for exports: an unusually large export waits for the manager (kehu.review).

Called by both export edges (page and API) before anything is written. Rule "export_spike":
a user may export up to N× their usual volume (the mean of their exports over 90 days, at least
KEHU_EXPORT_BASELINE_ROWS rows); beyond it the export is held, and once approved the requester
may download it once within 24 hours.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.audit.models import AuditEntry
from kehu.core.errors import ChangeHeld
from kehu.review.models import ReviewItem, ReviewRule
from kehu.review.rules import active_rule
from kehu.review.services import review_approved_unused, review_hold, review_mark_used

from .exports import customer_export_queryset

EXPORT_WINDOW_DAYS = 90


def _export_baseline(actor: User) -> Decimal:
    since = timezone.now() - timedelta(days=EXPORT_WINDOW_DAYS)
    sizes = [
        int((entry or {}).get("rows") or 0)
        for entry in AuditEntry.objects.filter(
            actor=actor, action="customers.exported", created_at__gte=since
        ).values_list("changes", flat=True)[:50]
    ]
    average = Decimal(sum(sizes)) / len(sizes) if sizes else Decimal(0)
    return max(average, Decimal(getattr(settings, "KEHU_EXPORT_BASELINE_ROWS", 50)))


def export_guard(*, actor: User, params: dict[str, Any], file_format: str) -> None:
    """Raise ChangeHeld when this export is unusually large and not approved yet."""
    if actor.role == Role.ADMIN:
        return
    rule = active_rule(ReviewRule.Kind.EXPORT_SPIKE)
    if rule is None:
        return
    count = customer_export_queryset(actor, params).count()
    baseline = _export_baseline(actor)
    if count <= baseline * rule.threshold:
        return
    approved = review_approved_unused(actor=actor, action=ReviewItem.Action.EXPORT, at_least=count)
    if approved is not None:
        review_mark_used(approved)
        return
    reason = _("Export of %(count)s customers, over %(factor)s× the usual (%(usual)s)") % {
        "count": count,
        "factor": f"{rule.threshold:g}",
        "usual": f"{baseline:.0f}",
    }
    item = review_hold(
        actor=actor,
        action=ReviewItem.Action.EXPORT,
        rule=rule.kind,
        reason=reason,
        payload={"count": count, "format": file_format, "filters": params},
        diff=[{"field": "rows", "label": _("rows"), "before": "", "after": str(count)}],
    )
    raise ChangeHeld(
        _("This change waits for review by your manager (#%(id)s): %(reason)s")
        % {"id": item.pk, "reason": reason},
        pending_id=item.pk,
    )
