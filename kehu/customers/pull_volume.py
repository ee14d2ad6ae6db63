"""The daily volume rule: how many customer rows a user may pull in a day before it waits for a
manager (review rule "export_spike", kehu.review).

What counts, per user and local day, in one counter (kehu.audit DailyVolume, one upsert per
request): the rows of every /api/v1/customers list page, the hits of every search, the rows of
every export. The day's limit is `threshold` × the user's usual daily volume — the median of their
daily totals over the previous 90 days (a day without pulls counts as 0, so a few large days do
not raise it), and at least KEHU_EXPORT_BASELINE_ROWS. It is fixed at the day's first pull.

Past the limit, an export is held for the manager (export_hold_past_limit: the customer export's
kehu/intake/export_guard.py and an analysis's kehu/reports/analyses/export.py) and list pages of
the API are refused (403, saying so); an export approved today lifts the limit for the rest of the
day. Administrators, and everyone while the rule is switched off, have no limit. The search page
and exports are counted but never refused here (a search returns at most 50 hits a kind, each
query is in the read log; an export has its own hold).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.audit.selectors import volume_history
from kehu.audit.services import Volume, volume_add, volume_lift, volume_set_limit
from kehu.core.errors import ChangeHeld, PermissionDenied
from kehu.review.models import ReviewItem, ReviewRule
from kehu.review.rules import active_rule
from kehu.review.services import review_approved_unused, review_hold, review_mark_used

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


def export_hold_past_limit(
    *,
    actor: User,
    count: Callable[[], int],
    reason: Callable[[int, Volume, ReviewRule], str],
    payload: dict[str, Any],
) -> None:
    """The one export-limit check of every export (customers, analyses): raise ChangeHeld when
    an export of count() rows would take today's volume past the limit and no approved export
    covers it. An approved one is marked used and lifts the limit for the rest of the day.
    `reason(count, today, rule)` says what is held (the review item's reason); `payload` is
    what the export was asked with (kept on the item beside the count and today's rows).
    count() is asked only while the rule is on (administrators have no limit)."""
    if actor.role == Role.ADMIN:
        return
    rule = active_rule(ReviewRule.Kind.EXPORT_SPIKE)
    if rule is None:
        return
    rows = count()
    today = pull_today(actor)
    if today.limit is None or today.rows + rows <= today.limit:
        return
    approved = review_approved_unused(actor=actor, action=ReviewItem.Action.EXPORT, at_least=rows)
    if approved is not None:
        review_mark_used(approved)
        pull_lift(actor)
        return
    text = reason(rows, today, rule)
    item = review_hold(
        actor=actor,
        action=ReviewItem.Action.EXPORT,
        rule=rule.kind,
        reason=text,
        payload={"count": rows, **payload, "today": today.rows},
        diff=[{"field": "rows", "label": _("rows"), "before": "", "after": str(rows)}],
    )
    raise ChangeHeld(
        _("This change waits for review by your manager (#%(id)s): %(reason)s")
        % {"id": item.pk, "reason": text},
        pending_id=item.pk,
    )
