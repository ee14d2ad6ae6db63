"""Scoped reads of segments, and their customers as the reader sees them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.accounts.models import Role
from kehu.core.errors import NotFound, PermissionDenied, ValidationFailed
from kehu.customers.models import Customer
from kehu.customers.segment_filter import SegmentFilter
from kehu.customers.selectors import customer_filter, customer_list_scope

from .models import Segment
from .validators import segment_params

# Who may share a segment with the whole company.
COMPANY_ROLES = frozenset({Role.MANAGER, Role.EXECUTIVE, Role.STEWARD, Role.ADMIN})


def segments_for(user: Any) -> QuerySet[Segment]:
    """The segments `user` may open: their own, their team's shared ones, the company's; an
    administrator every one (to tidy up)."""
    segments = Segment.objects.select_related("owner", "team")
    if not getattr(user, "is_authenticated", False):
        return segments.none()
    if user.role == Role.ADMIN:
        return segments
    condition = Q(owner=user.pk) | Q(visibility=Segment.Visibility.COMPANY)
    if user.team_id:
        condition |= Q(visibility=Segment.Visibility.TEAM, team=user.team_id)
    return segments.filter(condition)


def segment_may_change(user: Any, segment: Segment) -> bool:
    return bool(segment.owner_id == user.pk or user.role == Role.ADMIN)


def segment_get_for(user: Any, segment_id: int, *, for_change: bool = False) -> Segment:
    """One segment `user` may see (NotFound, 404, otherwise); with for_change, theirs to change
    (PermissionDenied, 403: only its owner or an administrator)."""
    segment = segments_for(user).filter(pk=segment_id).first() if segment_id < 2**63 else None
    if segment is None:
        raise NotFound(_("No such segment."))
    if for_change and not segment_may_change(user, segment):
        raise PermissionDenied(_("Only the person who made this segment may change it."))
    return segment


def segment_filter_resolve(user: Any, value: str) -> SegmentFilter:
    """segment=<id> for the customer list (registered in apps.py)."""
    if not (value.isdecimal() and value.isascii()):
        raise ValidationFailed({"segment": [_("No such segment.")]})
    try:
        segment = segment_get_for(user, int(value))
    except NotFound as exc:
        raise ValidationFailed({"segment": [exc.message]}) from exc
    return SegmentFilter(
        id=segment.pk,
        name=segment.name,
        params=segment_params(segment.query),
        url=reverse("segment-detail", args=[segment.pk]),
    )


def segment_customers_for(
    user: Any, query: str, *, order: str = ""
) -> tuple[QuerySet[Customer], Any]:
    """(the customers matching `query` that `user` sees, (unscoped filtered rows, the scope's
    branches)) — the customer list's own scope and filters (with the list's sort, which the
    filter checks too); ValidationFailed for a bad filter."""
    scoped, arms = customer_list_scope(user)
    params = {**segment_params(query), "_user": user, **({"order": order} if order else {})}
    filtered = customer_filter(Customer.objects.all(), params)
    return scoped & filtered, (filtered, arms)


def segment_count_for(user: Any, query: str) -> int:
    """How many customers match `query` as `user` sees them: exactly, each branch of the scope
    counted on its own without the branches before it (as the list counts, uncapped), so each
    count walks one index."""
    _customers, (filtered, arms) = segment_customers_for(user, query)
    if arms is None:
        return int(filtered.order_by().count())
    found, before = 0, Q()
    for arm in arms:
        rows = filtered.filter(arm)
        if before:
            rows = rows.exclude(before)
        found += rows.order_by().count()
        before |= arm
    return found


def segment_count_or_none(user: Any, segment: Segment) -> int | None:
    """The count for a list of segments: None when the filter no longer holds (a deleted tag)."""
    try:
        return segment_count_for(user, segment.query)
    except ValidationFailed:
        return None
