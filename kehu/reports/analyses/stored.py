"""The acquisition, funnel and team analyses' counts stored per viewer's scope (issue 18: a
rep's funnel over a book of 177,000 customers took 1.5 s counted live, a manager's acquisition
0.7-1.5 s on SQLite).

They do not add up over scope parts (the funnel's medians and per-customer cohorts), so at each
facts refresh (services.facts_refresh) the worker counts them with the functions the page calls
(acquisition_numbers, funnel_numbers, team.actuals), for this and the previous quarter, once
over every customer (key 'all': the roles that read everything) and once per active rep and
manager
(kehu.reports.people), and stores the counts (ReportSnapshot kind 'an_<analysis>', key
'<scope>|<from><to>'). Only numbers are stored: labels, names and targets are read when the page
is drawn, in the viewer's language. A page reads them when the period is a stored quarter, no
team, owner, industry, region or source filter is set, and the viewer's scope is unchanged
since (kehu.reports.people.scope_mark); otherwise it counts live. The page shows when they were
counted ("数据更新于 …").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from kehu.accounts.models import Role, User

from ..models import ReportSnapshot
from ..people import people, scope_key, scope_mark
from ..services import report_snapshot_store, report_snapshots_delete
from .db import reporting_alias
from .facts import period_suffix
from .filters import Filters

NAMES = ("acquisition", "funnel", "team")
FILTERED = ("team", "owner", "industry", "region", "source")


def kind_of(name: str) -> str:
    return f"an_{name}"


def _counters() -> dict[str, Any]:
    from .acquisition import acquisition_numbers
    from .funnel import funnel_numbers
    from .team import actuals, actuals_json

    return {
        "acquisition": acquisition_numbers,
        "funnel": funnel_numbers,
        "team": lambda user, filters: actuals_json(actuals(user, filters)),
    }


def analyses_store(quarters: list[tuple[date, date]], *, now: datetime) -> int:
    """Count and store the funnel and team analyses of these quarters for every scope (the
    caller's transaction: a reader sees the previous counts until it commits)."""
    viewers = [User(role=Role.EXECUTIVE, is_active=True), *people()]  # 'all': never saved
    counters = _counters()
    stored = 0
    for name in NAMES:
        report_snapshots_delete(kind=kind_of(name), key_suffix="")
    for start, end in quarters:
        filters = Filters(start=start, end=end)
        for viewer in viewers:
            key = scope_key(viewer)
            if key is None:
                continue
            mark = scope_mark(viewer)
            for name, count in counters.items():
                report_snapshot_store(
                    kind=kind_of(name),
                    key=key + period_suffix(start, end),
                    data={"scope": mark, "numbers": count(viewer, filters)},
                    now=now,
                )
                stored += 1
    return stored


def stored_numbers(user: User, name: str, filters: Filters) -> tuple[Any, datetime] | None:
    """(numbers, when counted) of analysis `name` for this viewer and filters, or None: count
    live."""
    if any(getattr(filters, f) not in (None, "") for f in FILTERED):
        return None
    key = scope_key(user)
    if key is None:
        return None
    row = (
        ReportSnapshot.objects.using(reporting_alias())
        .filter(kind=kind_of(name), key=key + period_suffix(filters.start, filters.end))
        .first()
    )
    if row is None or row.data.get("scope") != scope_mark(user):
        return None
    return row.data["numbers"], row.generated_at
