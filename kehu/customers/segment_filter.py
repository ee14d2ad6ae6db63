"""`segment=<id>` on the customer list, its API and its export: a saved segment's filters.

The segments app (kehu.segments) sits above customers, so it registers its look-up here in its
AppConfig.ready(), as dedupe registers the merged-number look-up (customers/merged.py):
`grep register_segment_resolver` finds the one caller. customer_filter applies the segment's
filters for the caller (their scope is applied by the list as always), then the other filters
given beside it, so `segment=3&status=won` narrows the segment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kehu.core.errors import ValidationFailed


@dataclass(frozen=True)
class SegmentFilter:
    """A segment as the list needs it: its name, its list filters, its own page."""

    id: int
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    url: str = ""


# (user, segment id as given) -> the segment; raises ValidationFailed({"segment": [...]}) for a
# segment that does not exist or that the user may not see.
Resolver = Callable[[Any, str], SegmentFilter]
_resolvers: list[Resolver] = []


def register_segment_resolver(resolver: Resolver) -> None:
    if resolver not in _resolvers:
        _resolvers.append(resolver)


def segment_filter_for(user: Any, value: str) -> SegmentFilter:
    """The segment `value` names for this user (ValidationFailed naming `segment` otherwise)."""
    for resolver in _resolvers:
        return resolver(user, str(value).strip())
    raise ValidationFailed({"segment": [_("No such segment.")]})
