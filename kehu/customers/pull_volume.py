"""The daily volume rule: how many customer rows a user may pull in a day before it waits for a
manager (review rule "export_spike", kehu.review).

What counts, per user and local day, in one counter (kehu.audit DailyVolume, one upsert per
request): the rows of every /api/v1/customers list page, the hits of every search, the rows of
every export. The day's limit is `threshold` × the user's usual daily volume — the median of their
daily totals over the previous 90 days (a day without pulls counts as 0, so a few large days do
not raise it), and at least KEHU_EXPORT_BASELINE_ROWS. It is fixed at the day's first pull.

Past the limit, an export is held for the manager (kehu/intake/export_guard.py) and list pages of
the API are refused (403, saying so); an export approved today lifts the limit for the rest of the
day. Administrators, and everyone while the rule is switched off, have no limit. The search page
and exports are counted but never refused here (a search returns at most 50 hits a kind, each
query is in the read log; an export has its own hold).
"""

from __future__ import annotations

import statistics
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.audit.selectors import volume_history
from kehu.audit.services import Volume, volume_add, volume_lift, volume_set_limit
from kehu.core.errors import PermissionDenied
from kehu.review.models import ReviewItem, ReviewRule
from kehu.review.rules import active_rule

HISTORY_DAYS = 90


def pull_limit(user: Any) -> int | None:
    """Today's limit of rows for `user`: None when there is none (rule off, administrator)."""
    if getattr(user, "role", None) == Role.ADMIN:
        return None
    rule = active_rule(ReviewRule.Kind.EXPORT_SPIKE)
    if rule is None:
        return None
    usual = statistics.median(volume_history(user, days=HISTORY_DAYS))
    base = max(Decimal(settings.KEHU_EXPORT_BASELINE_ROWS), Decimal(usual))
    return int(base * rule.threshold)


def _approved_today(user: Any) -> bool:
    """Whether a manager approved an export of this user today (it lifts the day's limit)."""
    start = datetime.combine(timezone.localdate(), time.min, tzinfo=timezone.get_current_timezone())
    return ReviewItem.objects.filter(
        requested_by=user,
        action=ReviewItem.Action.EXPORT,
        status=ReviewItem.Status.APPROVED,
        reviewed_at__gte=start,
    ).exists()


def pull_rows(*, actor: User | None, rows: int, refuse: bool) -> Volume:
    """Count `rows` the user just pulled. With `refuse`, a pull made when today's total has
    reached the limit is not counted and raises PermissionDenied (unless an export approved
    today, or a loosened rule, lifts the limit); without, the rows are counted regardless."""
    if actor is None:
        return Volume(rows=0, limit=None)
    volume = volume_add(
        user=actor, rows=rows, day_limit=lambda: pull_limit(actor), force=not refuse
    )
    if volume.counted:
        return volume
    if _approved_today(actor):
        volume_lift(user=actor)
    else:
        limit = pull_limit(actor)  # the rule may have been loosened or switched off since
        if limit is not None and volume.rows >= limit:
            if limit != volume.limit:
                volume_set_limit(user=actor, limit=limit)
            raise PermissionDenied(over_limit_message(Volume(rows=volume.rows, limit=limit)))
        volume_set_limit(user=actor, limit=limit)
    return volume_add(user=actor, rows=rows, day_limit=lambda: pull_limit(actor), force=True)


def pull_today(actor: User) -> Volume:
    """Today's total and limit, fixing the limit if this is the day's first look."""
    return volume_add(user=actor, rows=0, day_limit=lambda: pull_limit(actor), force=True)


def pull_lift(actor: User) -> None:
    """An approved export was taken: no limit for the rest of today."""
    volume_lift(user=actor)


def over_limit_message(volume: Volume) -> str:
    return _(
        "You have pulled %(rows)s customer rows today (list pages, searches and exports "
        "together); your daily limit is %(limit)s. More today needs your manager's approval: "
        "request an export of what you need, and once it is approved the list works again "
        "for the rest of the day."
    ) % {"rows": f"{volume.rows:,}", "limit": f"{volume.limit or 0:,}"}
