"""Who sees which review items, and who may decide them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.policy import steward_unit_id
from kehu.core.errors import NotFound

from .models import ReviewItem

# Items a data steward decides (duplicates queued by the on-save check, requests for a new
# library tag, kehu.tags.requests); the rest go to the
# requester's team manager (or an administrator).
STEWARD_ACTIONS = ("duplicate", "tag_request")


def _steward_items(user: User | Any) -> Q:
    """The items a steward decides: all of STEWARD_ACTIONS, or for a unit's steward those about
    the unit's customers and (no customer, e.g. a tag request) those its members asked for."""
    unit = steward_unit_id(user)
    mine = Q(action__in=STEWARD_ACTIONS)
    if unit is None:
        return mine
    return mine & (Q(customer__team_id=unit) | Q(customer__isnull=True, requested_by__team_id=unit))


def review_queue_for(user: User | Any) -> QuerySet[ReviewItem]:
    """Administrators see every item; managers their team's and their own; stewards the
    duplicates (a unit's steward: its unit's); everyone else what they asked for."""
    queryset = ReviewItem.objects.select_related("requested_by", "customer", "reviewed_by", "team")
    role = getattr(user, "role", None)
    if role == Role.ADMIN:
        return queryset
    mine = Q(requested_by=user)
    if role == Role.MANAGER and user.team_id:
        return queryset.filter(Q(team_id=user.team_id) | mine)
    if role == Role.STEWARD:
        return queryset.filter(_steward_items(user) | mine)
    return queryset.filter(mine)


def review_item_get_for(user: User | Any, item_id: int) -> ReviewItem:
    item = review_queue_for(user).filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("No such review item."))
    return item


def can_decide(user: User | Any, item: ReviewItem) -> bool:
    """Never one's own request; admins any; stewards duplicates; managers their team's."""
    if not getattr(user, "is_authenticated", False) or item.requested_by_id == user.pk:
        return False
    if user.role == Role.ADMIN:
        return True
    if item.action in STEWARD_ACTIONS:
        if user.role != Role.STEWARD:
            return False
        return ReviewItem.objects.filter(_steward_items(user), pk=item.pk).exists()
    return bool(user.role == Role.MANAGER and user.team_id and user.team_id == item.team_id)


def review_pending_count(user: User | Any) -> int:
    """What waits for this user's decision (the menu's badge)."""
    role = getattr(user, "role", None)
    pending = ReviewItem.objects.filter(status=ReviewItem.Status.PENDING)
    if role == Role.ADMIN:
        return pending.count()
    if role == Role.MANAGER and user.team_id:
        return pending.filter(team_id=user.team_id).exclude(requested_by=user).count()
    if role == Role.STEWARD:
        return pending.filter(_steward_items(user)).count()
    return 0
