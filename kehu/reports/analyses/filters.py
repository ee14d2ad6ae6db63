"""The filters every analysis takes (period, grouping, team, owner, industry, region, source),
parsed once for the page and the API, and the scoped base rows they narrow.

Every analysis starts from `accounts.policy.scope_for`: a rep's book, a manager's team, an
executive's everything. The filters only narrow that further; a team or owner outside the
caller's scope simply yields nothing (as a missing row would).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.policy import scope_for
from kehu.core.errors import ValidationFailed, one_of

from .db import reporting_alias

GROUPS = ("month", "week")
M = TypeVar("M", bound=Model)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
FILTER_KEYS = ("from", "to", "group", "team", "owner", "industry", "region", "source")


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: date) -> date:
    start = quarter_start(day)
    month = start.month + 3
    following = date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
    return following - timedelta(days=1)


@dataclass(frozen=True)
class Filters:
    """What the caller asked for. `start`/`end` are local dates, both included."""

    start: date
    end: date
    group: str = "month"
    team: int | None = None
    owner: int | None = None
    industry: int | None = None
    region: str = ""
    source: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def since(self) -> datetime:
        """The period's first instant (local midnight), aware."""
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        """The instant after the period (local midnight after `end`), aware."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def as_query(self) -> dict[str, str]:
        """The filters as query parameters (for links and the export's audit entry)."""
        values: dict[str, Any] = {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "group": self.group,
            "team": self.team,
            "owner": self.owner,
            "industry": self.industry,
            "region": self.region,
            "source": self.source,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    def customer_q(self, prefix: str = "") -> Q:
        """The customer-dimension filters, for rows reached through `prefix` ('customer__')."""
        q = Q()
        if self.team is not None:
            q &= Q(**{f"{prefix}team_id": self.team})
        if self.owner is not None:
            q &= Q(**{f"{prefix}owner_id": self.owner})
        if self.industry is not None:
            q &= Q(**{f"{prefix}industry_id": self.industry}) | Q(
                **{f"{prefix}sub_industry_id": self.industry}
            )
        if self.region:
            q &= Q(**{f"{prefix}province": self.region})
        if self.source is not None:
            q &= Q(**{f"{prefix}source_id": self.source})
        return q


def _text(params: Mapping[str, Any], key: str, errors: dict[str, list[str]]) -> str:
    raw = params.get(key)
    text = "" if raw is None else str(raw).strip()
    if text and (not text.isprintable() or len(text) > 50):
        errors[key] = [_("Enter a valid value.")]
        return ""
    return text


def _id(params: Mapping[str, Any], key: str, errors: dict[str, list[str]]) -> int | None:
    text = _text(params, key, errors)
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        errors[key] = [_("Enter a whole number.")]
        return None
    return int(text)


def _date(params: Mapping[str, Any], key: str, errors: dict[str, list[str]]) -> date | None:
    text = _text(params, key, errors)
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[key] = [_("Enter a date as YYYY-MM-DD.")]
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        # 0001-01-01 or 9999-12-31: a period's edges (the day after, the next quarter) overflow
        errors[key] = [
            _("Enter a date from %(first)s to %(last)s.")
            % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
        ]
        return None
    return day


def parse_filters(params: Mapping[str, Any], *, today: date | None = None) -> Filters:
    """Filters from query parameters; the period defaults to this quarter. Raises
    ValidationFailed (422) naming every bad parameter."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    start = _date(params, "from", errors) or quarter_start(today)
    end = _date(params, "to", errors) or quarter_end(today if start <= today else start)
    group = _text(params, "group", errors) or "month"
    if group not in GROUPS:
        errors["group"] = [one_of(GROUPS)]
    if end < start:
        errors["to"] = [_("The end of the period is before its start.")]
    elif (end - start).days > 366 * 5:
        errors["to"] = [_("A period of at most five years.")]
    filters = Filters(
        start=start,
        end=end,
        group=group if group in GROUPS else "month",
        team=_id(params, "team", errors),
        owner=_id(params, "owner", errors),
        industry=_id(params, "industry", errors),
        region=_text(params, "region", errors),
        source=_id(params, "source", errors),
    )
    if errors:
        raise ValidationFailed(errors)
    return filters


def scoped(user: User, queryset: QuerySet[M], filters: Filters, *, prefix: str) -> QuerySet[M]:
    """The rows the user may see, narrowed by the filters, read from the reporting database."""
    rows = scope_for(user, queryset).filter(filters.customer_q(prefix)).order_by()
    return rows.using(reporting_alias())
