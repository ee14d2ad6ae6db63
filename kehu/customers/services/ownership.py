"""Who owns a customer and who else sees it: sharing, the team pool, reassignment.

Every owner or team change of a customer outside a form edit goes through here (hand-over,
the pool, claims), audited, with the search index and the completeness mark in step.

The team pool (公海) is a team's customers without an owner: the team's reps see them
(kehu.accounts.policy). A rep or manager of the team claims one (customer_claim, at most the
team's `pool_claim_daily_limit` a day each, never more than the company's `pool_claim_limit`);
its owner, the team's manager or an administrator returns one with a reason (customer_return);
a manager, an administrator or marketing puts one in (customer_assign_pool); a hand-over moves many at once (customers_reassign); a web-form
lead that no rule assigns is routed to the default team's pool (customer_route_to_pool).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, Team, User
from kehu.accounts.policy import can_assign_pool, can_share_customer
from kehu.audit.actions import AuditAction
from kehu.audit.models import AuditEntry
from kehu.audit.services import PendingEntry, audit_record, audit_record_many
from kehu.core.company import company_settings
from kehu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kehu.core.search_index import search_rescope_customers
from kehu.core.versioning import version_next

from ..models import Customer, CustomerShare
from .derived import customer_refresh_quality

CLAIMED = AuditAction.CUSTOMER_CLAIMED
RETURNED = AuditAction.CUSTOMER_RETURNED
POOLED = AuditAction.CUSTOMER_POOLED
REASON_MAX = 500
QUALITY_FIELDS = ["completeness", "missing_fields", "quality", "incomplete_since"]


@transaction.atomic
def customer_share(*, actor: User, customer: Customer, user: User) -> CustomerShare:
    """Let `user` see the customer (read only). The owner, its team manager or an admin shares."""
    if not can_share_customer(actor, customer):
        raise PermissionDenied(_("Only the owner or the team's manager may share a customer."))
    if not user.is_active:
        raise ValidationFailed({"user": [_("No active user '%(name)s'.") % {"name": user}]})
    if user.pk == customer.owner_id:
        raise ValidationFailed({"user": [_("The owner already sees this customer.")]})
    share, created = CustomerShare.objects.get_or_create(
        customer=customer, user=user, defaults={"shared_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CUSTOMER_SHARED,
            target=customer,
            changes={"user": [None, str(user)]},
        )
    return share


@transaction.atomic
def customer_unshare(*, actor: User, customer: Customer, user: User) -> None:
    if not can_share_customer(actor, customer):
        raise PermissionDenied(_("Only the owner or the team's manager may share a customer."))
    deleted, _rows = CustomerShare.objects.filter(customer=customer, user=user).delete()
    if deleted:
        audit_record(
            actor=actor,
            action=AuditAction.CUSTOMER_UNSHARED,
            target=customer,
            changes={"user": [str(user), None]},
        )


# --- Moving customers: the shared step ---------------------------------------------------------


def _label(value: Any) -> str | None:
    return None if value is None else str(value)


def _after_owner_change(customers: list[Customer], *, quality: list[Customer]) -> None:
    """The search documents follow their customers' owner and team; completeness counts an
    owner, so customers that gained or lost one get it recomputed (contacts prefetched)."""
    prefetch_related_objects(quality, "contacts")
    for customer in quality:
        customer_refresh_quality(customer, save=False)
    if quality:
        Customer.objects.bulk_update(quality, QUALITY_FIELDS)
    search_rescope_customers(customers)


def _move_one(customer: Customer, owner: User | None, team_id: int | None) -> bool:
    """Set owner and team on the (locked) row; whether the owner came or went (completeness)."""
    had_owner = customer.owner_id is not None
    customer.owner = owner
    customer.team_id = team_id
    customer.save(update_fields=["owner", "team", "updated_at"])
    return had_owner != (owner is not None)


def _locked(customer: Customer) -> Customer:
    return (
        Customer.objects.select_for_update(of=("self",))
        .select_related("owner", "team")
        .prefetch_related("contacts")
        .get(pk=customer.pk)
    )


# --- Hand-over: many customers at once -------------------------------------------------------


def can_reassign(actor: User | None, customer: Customer, owner: User | None) -> bool:
    """An administrator moves any customer; a manager moves their team's customers within it."""
    if actor is None:
        return False
    if actor.role == Role.ADMIN:
        return True
    if actor.role != Role.MANAGER or not actor.team_id or customer.team_id != actor.team_id:
        return False
    return owner is None or owner.team_id == actor.team_id


@transaction.atomic
def customers_reassign(
    *,
    actor: User,
    plan: Mapping[int, User | None],
    note: str,
    source: str | None = None,
    pooled_action: AuditAction = POOLED,
) -> dict[int | None, list[Customer]]:
    """Give each customer of `plan` ({customer id: new owner, or None for its team's pool}) to
    its new owner, in bulk: one UPDATE per new owner, one audit entry per customer
    ("customer.updated", or "customer.pooled" into the pool: owner and team before and after,
    `note`; `pooled_action` "customer.returned" for a return with a reason), the search
    documents and completeness in step, all in the caller's transaction. A new owner brings their team (as
    a form edit does); the pool keeps the customer's team, so a customer without a team cannot
    go there. Returns {new owner id (None: the pool): customers moved}.
    """
    customers = list(
        Customer.objects.select_for_update(of=("self",))
        .filter(pk__in=list(plan))
        .select_related("owner", "team")
        .order_by("pk")
    )
    if len(customers) != len(set(plan)):
        raise ValidationFailed({"customers": [_("Some of these customers no longer exist.")]})
    errors: dict[str, list[str]] = {}
    for successor in {o for o in plan.values() if o is not None}:
        if not successor.is_active or successor.role not in (Role.REP, Role.MANAGER):
            name = successor.get_username()
            errors[name] = [_("No active sales rep or manager '%(name)s'.") % {"name": name}]
    for customer in customers:
        owner = plan[customer.pk]
        if not can_reassign(actor, customer, owner):
            raise PermissionDenied(
                _("You may not move customer %(no)s to %(to)s.")
                % {"no": customer.customer_no, "to": owner.label if owner else _("the team pool")}
            )
        if owner is None and customer.team_id is None:
            errors[customer.customer_no] = [
                _("This customer has no team, so it has no pool: choose a successor.")
            ]
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    moved: dict[int | None, list[Customer]] = {}
    groups: dict[tuple[int | None, int | None], list[int]] = {}
    entries, changed, quality = [], [], []
    teams = {t.pk: t for t in Team.objects.all()}
    for customer in customers:
        owner = plan[customer.pk]
        team_id = owner.team_id if owner is not None else customer.team_id
        if owner is not None and owner.pk == customer.owner_id and team_id == customer.team_id:
            continue
        changes = {"owner": [_label(customer.owner), _label(owner)]}
        if team_id != customer.team_id:
            changes["team"] = [_label(customer.team), _label(teams.get(team_id or 0))]
        if (customer.owner_id is None) != (owner is None):
            quality.append(customer)
        customer.owner = owner
        customer.team_id = team_id
        customer.updated_at = now
        customer.version += 1  # the UPDATE below raises it too (an open form is stale)
        groups.setdefault((owner.pk if owner else None, team_id), []).append(customer.pk)
        moved.setdefault(owner.pk if owner else None, []).append(customer)
        action = pooled_action if owner is None else AuditAction.CUSTOMER_UPDATED
        entries.append(PendingEntry(action=action, target=customer, changes=changes, note=note))
        changed.append(customer)
    for (owner_id, team_id), ids in groups.items():
        Customer.objects.filter(pk__in=ids).update(
            owner_id=owner_id, team_id=team_id, updated_at=now, version=version_next()
        )
    _after_owner_change(changed, quality=quality)
    audit_record_many(actor=actor, entries=entries, source=source)
    return moved


# --- The team pool -----------------------------------------------------------------------------


def can_claim(user: Any, customer: Customer) -> bool:
    """A rep or manager of the customer's team, while the customer is in that team's pool."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in (Role.REP, Role.MANAGER)
        and user.team_id
        and customer.team_id == user.team_id
        and customer.owner_id is None
    )


def can_return_to_pool(user: Any, customer: Customer) -> bool:
    """The owner, the customer's team manager or an administrator (while it has an owner)."""
    return customer.owner_id is not None and can_share_customer(user, customer)


def pool_claims_today(user: Any) -> int:
    """How many customers the user has claimed today (local time), from the audit log."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    return AuditEntry.objects.filter(
        actor_id=user.pk, action=CLAIMED, created_at__gte=start
    ).count()


def pool_claim_limit(user: User, team: Team | None = None) -> int:
    """How many customers the user may claim a day from `team`'s pool (default: their own
    team's; 0 without one): the team's limit, capped by the company's (kehu.core.company)."""
    team = team if team is not None else user.team
    if team is None:
        return 0
    return min(team.pool_claim_daily_limit, company_settings().pool_claim_limit)


@transaction.atomic
def customer_claim(*, actor: User, customer: Customer) -> Customer:
    """The actor takes a customer out of their team's pool and owns it. At most the team's
    daily limit a day (counted from the audit log, under a lock on the actor's row, so two
    claims at once cannot both take the last one); audited as "customer.claimed"."""
    User.objects.select_for_update().filter(pk=actor.pk).first()
    customer = _locked(customer)
    if not can_claim(actor, customer):
        raise PermissionDenied(_("Only customers in your own team's pool may be claimed."))
    team = customer.team
    assert team is not None  # can_claim: the pool of the actor's team
    used = pool_claims_today(actor)
    limit = pool_claim_limit(actor, team)
    if used >= limit:
        raise PermissionDenied(
            _(
                "You have claimed %(used)s customers today; your team's daily limit is "
                "%(limit)s. Try again tomorrow."
            )
            % {"used": used, "limit": limit}
        )
    gained = _move_one(customer, actor, customer.team_id)
    _after_owner_change([customer], quality=[customer] if gained else [])
    audit_record(
        actor=actor,
        action=CLAIMED,
        target=customer,
        changes={"owner": [None, str(actor)]},
        note=_("Claimed from the %(team)s pool") % {"team": team.name},
    )
    return customer


@transaction.atomic
def customer_return(*, actor: User, customer: Customer, reason: str) -> Customer:
    """Give a customer back to its team's pool, with a reason (kept in the audit entry
    "customer.returned"): its owner, the team's manager or an administrator."""
    customer = _locked(customer)
    if not can_return_to_pool(actor, customer):
        if customer.owner_id is None and can_share_customer(actor, customer):
            raise Conflict(_("This customer is in the team pool already."))
        raise PermissionDenied(_("Only the owner or the team's manager may return a customer."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say why the customer goes back to the pool.")]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": [_("At most %(max)s characters.") % {"max": REASON_MAX}]})
    if customer.team_id is None:
        raise ValidationFailed(
            {"team": [_("This customer has no team, so it has no pool to go back to.")]}
        )
    before = str(customer.owner)
    _move_one(customer, None, customer.team_id)
    _after_owner_change([customer], quality=[customer])
    audit_record(
        actor=actor,
        action=RETURNED,
        target=customer,
        changes={"owner": [before, None]},
        note=reason,
    )
    return customer


@transaction.atomic
def customer_assign_pool(*, actor: User, customer: Customer, team: Team) -> Customer:
    """Put the customer into `team`'s pool: the team's reps see it until someone owns it."""
    customer = _locked(customer)
    if not can_assign_pool(actor, customer):
        raise PermissionDenied(_("You may not assign this customer to a team pool."))
    return _pool(actor=actor, customer=customer, team=team, note="")


@transaction.atomic
def customer_route_to_pool(
    *, actor: User | None, customer: Customer, team: Team, note: str
) -> Customer:
    """The system's path: a new customer nobody owns and no team holds (a web-form lead that
    no assignment rule took) goes to `team`'s pool. Anything owned or placed already is
    refused, so this never takes a customer away from anyone."""
    customer = _locked(customer)
    if customer.owner_id is not None or customer.team_id is not None:
        raise Conflict(_("This customer has an owner or a team already."))
    return _pool(actor=actor, customer=customer, team=team, note=note)


def _pool(*, actor: User | None, customer: Customer, team: Team, note: str) -> Customer:
    before = [_label(customer.team), _label(customer.owner)]
    lost = _move_one(customer, None, team.pk)
    customer.team = team
    _after_owner_change([customer], quality=[customer] if lost else [])
    audit_record(
        actor=actor,
        action=POOLED,
        target=customer,
        changes={"team": [before[0], team.name], "owner": [before[1], None]},
        note=note,
    )
    return customer
