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

from kehu.accounts.models import User
from kehu.audit.services import Volume
from kehu.customers.pull_volume import export_hold_past_limit
from kehu.review.models import ReviewRule

from .exports import customer_export_queryset


def export_guard(*, actor: User, params: dict[str, Any], file_format: str) -> None:
    """Raise ChangeHeld when this export would take today's volume past the limit and no
    approved export covers it (kehu.customers.pull_volume.export_hold_past_limit)."""

    def reason(count: int, today: Volume, rule: ReviewRule) -> str:
        return _(
            "Export of %(count)s customers; with the %(today)s rows pulled today that passes the "
            "daily limit of %(limit)s (%(factor)s× the usual volume)"
        ) % {
            "count": f"{count:,}",
            "today": f"{today.rows:,}",
            "limit": f"{today.limit:,}",
            "factor": f"{rule.threshold:g}",
        }

    export_hold_past_limit(
        actor=actor,
        count=lambda: customer_export_queryset(actor, params).count(),
        reason=reason,
        payload={"format": file_format, "filters": params},
    )
