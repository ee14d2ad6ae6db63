"""Daily interaction facts (issue 18: the analyses at 10,000,000 interactions).

`InteractionDayFact` holds, per local day × method × performer × the customer's owner and team,
the counts the activity analysis sums: interactions, answered, entered within 24 h, entered
after 48 h and the summed entry delay in hours. The worker refreshes it set-based
(`facts_refresh`, kehu.reports.dashboard.tasks): incrementally the days of interactions recorded
since the last refresh plus today and yesterday, and in full once a day (`kehu
report_facts_rebuild` does a full rebuild by hand). Edited or deleted interactions and customers
moved to another owner or team show in the facts at the next full rebuild.

Only the owner and team of the customer are kept: industry, region and source multiply the rows
towards the size of the interaction table itself, so an analysis filtered by those reads live.
The facts' freshness is the snapshot's `generated_at` (ReportSnapshot kind 'facts'), shown on
the page as "数据更新于 …".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FACTS_KIND = "facts"
FACTS_KEY = "interactions"
BATCH = 5000


class InteractionDayFact(models.Model):
    """Interactions of one local day, method and performer, on customers of one owner and team.
    Plain ids (no foreign keys): the facts are rebuilt, never cascaded."""

    day = models.DateField(_("day"))
    method = models.CharField(_("method"), max_length=16)
    performed_by_id = models.BigIntegerField(null=True)
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    n = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    timely = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    delay = models.FloatField(default=0.0)

    class Meta:
        app_label = "reports"
        indexes = [
            models.Index(fields=["day"], name="ifact_day_idx"),
            models.Index(fields=["owner_id", "day"], name="ifact_owner_day_idx"),
            models.Index(fields=["team_id", "day"], name="ifact_team_day_idx"),
        ]
        verbose_name = _("interaction day fact")
        verbose_name_plural = _("interaction day facts")

    def __str__(self) -> str:
        return f"{self.day} {self.method} {self.performed_by_id} {self.n}"


class CustomerDimFact(models.Model):
    """Customers as they are at the refresh, counted per owner, team, province and industry
    pair: what the distribution analysis groups. Rebuilt in full at each refresh (one grouped
    pass over the customers)."""

    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    province = models.CharField(_("province"), max_length=32, blank=True)
    industry_id = models.BigIntegerField(null=True)
    sub_industry_id = models.BigIntegerField(null=True)
    n = models.IntegerField(default=0)

    class Meta:
        app_label = "reports"
        indexes = [
            models.Index(fields=["owner_id"], name="cfact_owner_idx"),
            models.Index(fields=["team_id"], name="cfact_team_idx"),
        ]
        verbose_name = _("customer fact")
        verbose_name_plural = _("customer facts")

    def __str__(self) -> str:
        return f"{self.owner_id} {self.province} {self.n}"


def facts_state() -> Any:
    from ..models import ReportSnapshot

    return ReportSnapshot.objects.filter(kind=FACTS_KIND, key=FACTS_KEY).first()


def facts_fresh_at() -> datetime | None:
    """When the facts were last refreshed; None while they have never been built (the analyses
    then read live)."""
    state = facts_state()
    return state.generated_at if state else None


def full_due(now: datetime | None = None) -> bool:
    """A full rebuild once a day (catches edits, deletions and reassigned customers)."""
    state = facts_state()
    if state is None or not state.data.get("full_at"):
        return True
    last = datetime.fromisoformat(state.data["full_at"])
    return (now or timezone.now()) - last >= timedelta(days=1)


def fact_scope_q(user: Any, *, with_shares: bool = False) -> Q | None:
    """The facts a user may sum, as a filter on the facts' owner/team, or None when the scope
    cannot be expressed by owner and team alone (then the caller reads live). Mirrors
    kehu.accounts.policy.visibility_q for viewing: executives and admins (None → every row:
    Q()); a manager's team; a rep's own customers and the team pool (owner empty, the rep's
    team). Customers shared with the user (CustomerShare) are per customer, which the facts do
    not keep: such a user reads live so the figures stay exact, unless `with_shares`: then this
    is the scope without the shares, and the caller adds the shared customers read live
    (shared_extra)."""
    from kehu.accounts.policy import has_shares_and_pool, visibility_q
    from kehu.customers.models import Customer

    if visibility_q(user, Customer) is None:
        return Q()
    from kehu.accounts.models import Role

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.role not in (Role.REP, Role.MANAGER):
        return None  # support / marketing see by status, which the facts do not keep
    has_shares, has_pool = has_shares_and_pool(user)
    if has_shares and not with_shares:
        return None
    if user.role == Role.MANAGER and user.team_id:
        return Q(team_id=user.team_id)
    q = Q(owner_id=user.pk)
    if has_pool and user.role == Role.REP and user.team_id:
        q |= Q(team_id=user.team_id, owner_id__isnull=True)
    return q


def shared_extra(user: Any) -> Any:
    """The customers shared with a rep or manager that its facts scope (fact_scope_q with
    shares) does not already hold, or None when there are none to add: the activity analysis
    reads their interactions live and adds them to the facts (the two sets of customers are
    disjoint, so every count and distinct count adds up exactly)."""
    from kehu.accounts.models import Role
    from kehu.accounts.policy import has_shares_and_pool
    from kehu.customers.models import Customer

    if getattr(user, "role", None) not in (Role.REP, Role.MANAGER):
        return None
    if not has_shares_and_pool(user)[0]:
        return None
    own = fact_scope_q(user, with_shares=True)
    if own is None:
        return None
    shared = user.customer_shares.values("customer_id")
    return Customer.objects.filter(pk__in=shared).exclude(own).values("pk")


def activity_fact_rows(user: Any, filters: Any) -> list[dict[str, Any]] | None:
    """The activity analysis's day × method × performer sums from the facts, or None when the
    facts cannot answer exactly (never built, a filter on industry/region/source, a scope with
    shared customers)."""
    if filters.industry is not None or filters.region or filters.source is not None:
        return None
    if facts_state() is None:
        return None
    scope = fact_scope_q(user, with_shares=True)  # the caller adds shared_extra live
    if scope is None:
        return None
    from .db import reporting_alias

    rows = InteractionDayFact.objects.using(reporting_alias()).filter(
        scope, day__gte=filters.start, day__lte=filters.end
    )
    if filters.team is not None:
        rows = rows.filter(team_id=filters.team)
    if filters.owner is not None:
        rows = rows.filter(owner_id=filters.owner)
    return list(
        rows.values("day", "method", "performed_by_id").annotate(
            n=Sum("n"),
            answered=Sum("answered"),
            timely=Sum("timely"),
            late=Sum("late"),
            delay=Sum("delay"),
            groups=Count("id"),
        )
    )


def distribution_facts(user: Any, filters: Any) -> Any:
    """The distribution analysis's customers as fact rows (owner, team, province, industry
    pair, n), or None when the facts cannot answer exactly: never built, a region (its cities
    are read live) or source filter, a scope with shared customers."""
    if filters.region or filters.source is not None or facts_state() is None:
        return None
    scope = fact_scope_q(user)
    if scope is None:
        return None
    from .db import reporting_alias

    return CustomerDimFact.objects.using(reporting_alias()).filter(scope, filters.customer_q(""))


# --- Per-customer activity figures (customers followed up, per rep and in all; the 20 most
# followed-up customers): distinct counts do not add up over days, so the worker stores them per
# scope part for the current and the previous quarter (the previous one only at the daily full
# rebuild, or when an interaction recorded since the last refresh falls in it) (ReportSnapshot kind 'activity_customers',
# key '<part>|<from>|<to>'). The parts are disjoint sets of customers: 'all', 'team:<id>',
# 'owner:<id>' and 'pool:<team id>' (no owner); a rep's scope is its owner part plus its team's
# pool part, whose counts add up exactly and whose top 20 merge exactly.
CUSTOMERS_KIND = "activity_customers"


def customer_parts(user: Any) -> list[str] | None:
    """The stored parts that make up this user's scope, or None when they cannot (see
    fact_scope_q)."""
    scope = fact_scope_q(user, with_shares=True)  # the caller adds shared_extra live
    if scope is None:
        return None
    if not scope.children:
        return ["all"]
    from kehu.accounts.models import Role

    if user.role == Role.MANAGER and user.team_id:
        return [f"team:{user.team_id}"]
    parts = [f"owner:{user.pk}"]
    if len(scope.children) > 1:
        parts.append(f"pool:{user.team_id}")
    return parts


def activity_customer_figures(user: Any, filters: Any) -> dict[str, Any] | None:
    """{'per_rep': {performer id: customers}, 'customers': n, 'top': [[customer id, n, last]]}
    from the stored parts, or None (live) when a filter narrows the customers or the period is
    not one the worker stores."""
    if any(
        v not in (None, "")
        for v in (filters.team, filters.owner, filters.industry, filters.region, filters.source)
    ):
        return None
    parts = customer_parts(user)
    if parts is None or facts_state() is None:
        return None
    from ..models import ReportSnapshot
    from .db import reporting_alias

    suffix = period_suffix(filters.start, filters.end)
    stored = {
        s.key: s.data
        for s in ReportSnapshot.objects.using(reporting_alias()).filter(
            kind=CUSTOMERS_KIND, key__in=[p + suffix for p in {"all", *parts}]
        )
    }
    if "all" + suffix not in stored:
        return None  # a period the worker does not store
    per_rep: dict[Any, int] = {}
    total = 0
    top: list[list[Any]] = []
    for part in parts:
        data = stored.get(part + suffix, {"per_rep": [], "customers": 0, "top": []})
        for rep, n in data["per_rep"]:
            per_rep[rep] = per_rep.get(rep, 0) + n
        total += data["customers"]
        top += data["top"]
    top.sort(key=lambda r: (-r[1], r[0]))
    top = [[c, n, datetime.fromisoformat(last) if last else None] for c, n, last in top[:20]]
    return {"per_rep": per_rep, "customers": total, "top": top}


def period_suffix(start: date, end: date) -> str:
    """The period's part of a stored key (ReportSnapshot keys are 32 characters at most)."""
    return f"|{start:%y%m%d}{end:%y%m%d}"
