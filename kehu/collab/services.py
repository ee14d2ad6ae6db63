"""Hand-over of a departing user (admin or the user's team manager), and the team pool's claim
and return with what follows the customer.

Hand-over, in two steps. The plan (handover_plan) resolves who gets what and counts it per
successor and for the team pool; nothing changes. The confirmation (handover_confirm, one
transaction) carries it out: each customer goes to the successor chosen for it; a customer left
on "default" (no choice, "" or "default") goes to the default successor, which is a user or
"pool"; "pool" sends a customer to its team's pool (no owner, team kept). Open opportunities
and follow-ups follow their customer (else the default successor, else the customer's new
owner). The user is deactivated, their sessions ended and API tokens revoked; a HandOver row
and an audit entry are written; each successor is told what they received, and the team's
managers what went to the pool. Given the plan's token, the confirmation refuses (409) when
the book changed since the plan was shown. The owner changes go through
kehu.customers.services.customers_reassign (bulk, one audit entry per customer).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.services import managers_of, notification_send, user_deactivate
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kehu.customers import services as customer_services
from kehu.customers.models import Customer
from kehu.interactions.models import FollowUp
from kehu.interactions.services.followups import followups_reassign
from kehu.opportunities.models import Opportunity
from kehu.opportunities.services import opportunities_reassign

from .models import HandOver

POOL = "pool"
DEFAULT = "default"
CLOSED_STAGES = (Opportunity.Stage.WON, Opportunity.Stage.LOST)


def can_hand_over(actor: User, user: User) -> bool:
    if actor.pk == user.pk:
        return False
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.MANAGER and bool(actor.team_id) and actor.team_id == user.team_id


def handover_user_get(actor: User, user_id: int) -> User:
    """The user to hand over, if the actor may (else 404: other teams' users are not named)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not can_hand_over(actor, user):
        raise Http404
    return user


def handover_preview(user: User) -> dict[str, QuerySet[Any]]:
    return {
        "customers": Customer.objects.filter(owner=user).order_by("id"),
        "opportunities": Opportunity.objects.filter(owner=user)
        .exclude(stage__in=CLOSED_STAGES)
        .select_related("customer")
        .order_by("id"),
        "follow_ups": FollowUp.objects.filter(owner=user, done_at__isnull=True)
        .select_related("customer")
        .order_by("id"),
    }


def _successor(actor: User, user: User, raw: Any, field_name: str) -> User | None:
    """A successor (active rep or manager, not the user; a manager's within the team), or None
    for "pool"."""
    raw = str(raw).strip()
    if raw == POOL:
        return None
    users = User.objects.filter(is_active=True).exclude(pk=user.pk).select_related("team")
    found = (
        users.filter(pk=int(raw)).first()
        if raw.isdigit() and len(raw) < 19
        else users.filter(username=raw).first()
    )
    if found is None or found.role not in (Role.REP, Role.MANAGER):
        raise ValidationFailed(
            {field_name: [_("No active sales rep or manager '%(name)s'.") % {"name": raw}]}
        )
    if actor.role == Role.MANAGER and found.team_id != actor.team_id:
        raise ValidationFailed(
            {field_name: [_("A manager hands over within their own team only.")]}
        )
    return found


@dataclass
class Share:
    """What one successor (or the pool) receives."""

    user: User | None
    customers: list[Customer] = field(default_factory=list)
    opportunities: int = 0
    follow_ups: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "customers": len(self.customers),
            "opportunities": self.opportunities,
            "follow_ups": self.follow_ups,
        }


@dataclass
class HandOverPlan:
    user: User
    customers: dict[int, User | None]  # customer id -> successor (None: the pool)
    opportunities: dict[int, User | None]
    follow_ups: dict[int, User | None]
    shares: dict[int | None, Share]  # successor id (None: the pool) -> what they receive
    chosen: dict[str, str]  # customer_no -> successor username, or "pool"
    token: str

    def summary(self) -> dict[str, Any]:
        pool = self.shares.get(None) or Share(None)
        return {
            "customers": len(self.customers),
            "opportunities": len(self.opportunities),
            "follow_ups": len(self.follow_ups),
            "successors": {
                share.user.get_username(): share.counts()
                for key, share in self.shares.items()
                if key is not None and share.user is not None
            },
            "pool": pool.counts(),
        }


def _chosen(successor: User | None) -> str:
    return successor.get_username() if successor is not None else POOL


def _token(plan: dict[str, dict[int, User | None]]) -> str:
    text = "|".join(
        f"{kind}:{pk}>{owner.pk if owner else ''}"
        for kind, rows in sorted(plan.items())
        for pk, owner in sorted(rows.items())
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def handover_plan(
    *, actor: User, user: User, assignments: dict[str, Any], default: Any = None
) -> HandOverPlan:
    """Who gets each customer, opportunity and task of `user`; changes nothing.

    assignments: {customer_no: successor username or id, "pool", or ""/"default" for the
    default}. default: a successor, "pool", or None/"" for none (then every customer needs a
    choice). Every problem at once, each named by its customer number (ValidationFailed).
    """
    if not can_hand_over(actor, user):
        raise PermissionDenied(_("Only an administrator or the user's manager may hand over."))
    preview = handover_preview(user)
    customers = list(preview["customers"])
    errors: dict[str, list[str]] = {}
    default_text = "" if default is None else str(default).strip()
    has_default = default_text not in ("", DEFAULT)
    default_user: User | None = None
    if has_default:
        try:
            default_user = _successor(actor, user, default_text, "default")
        except ValidationFailed as exc:
            errors.update(exc.errors)
    numbers = {c.customer_no for c in customers}
    for key in assignments:
        if key not in numbers:
            errors[key] = [_("Not a customer of %(user)s.") % {"user": user.label}]
    resolved: dict[str, User | None] = {}
    plan: dict[int, User | None] = {}
    left = 0  # customers on the default with no default chosen
    for customer in customers:
        raw = str(assignments.get(customer.customer_no, "") or "").strip()
        if raw in ("", DEFAULT):
            if not has_default:
                errors[customer.customer_no] = [_("Choose a successor or the team pool.")]
                left += 1
                continue
            plan[customer.pk] = default_user
        else:
            if raw not in resolved:
                try:
                    resolved[raw] = _successor(actor, user, raw, customer.customer_no)
                except ValidationFailed as exc:
                    errors.update(exc.errors)
                    continue
            plan[customer.pk] = resolved[raw]
        if plan[customer.pk] is None and customer.team_id is None:
            errors[customer.customer_no] = [
                _("This customer has no team, so it has no pool: choose a successor.")
            ]
    if errors:
        if left and "default" not in errors:
            errors = {
                "default": [
                    _(
                        "Choose a default successor or the team pool: %(count)s customers are "
                        "left on the default."
                    )
                    % {"count": left}
                ],
                **errors,
            }
        raise ValidationFailed(errors)
    shares: dict[int | None, Share] = {}

    def share_of(owner: User | None) -> Share:
        return shares.setdefault(owner.pk if owner else None, Share(owner))

    for customer in customers:
        share_of(plan[customer.pk]).customers.append(customer)
    open_opportunities, open_tasks = list(preview["opportunities"]), list(preview["follow_ups"])
    others = {r.customer_id for r in [*open_opportunities, *open_tasks]} - set(plan)
    owners = {
        c.pk: c.owner
        for c in Customer.objects.filter(pk__in=others).select_related("owner").order_by()
    }

    def follows(customer_id: int) -> User | None:
        """A row follows its customer; else the default successor; else the customer's owner."""
        if customer_id in plan:
            return plan[customer_id]
        if default_user is not None:
            return default_user
        owner = owners.get(customer_id)
        return None if owner is None or owner.pk == user.pk else owner

    opportunities = {o.pk: follows(o.customer_id) for o in open_opportunities}
    follow_ups = {f.pk: follows(f.customer_id) for f in open_tasks}
    for owner in opportunities.values():
        share_of(owner).opportunities += 1
    for owner in follow_ups.values():
        share_of(owner).follow_ups += 1
    chosen = {c.customer_no: _chosen(plan[c.pk]) for c in customers}
    token = _token({"c": plan, "o": opportunities, "f": follow_ups})
    return HandOverPlan(user, plan, opportunities, follow_ups, shares, chosen, token)


@transaction.atomic
def handover_confirm(
    *,
    actor: User,
    user: User,
    assignments: dict[str, Any],
    default: Any = None,
    plan_token: str | None = None,
) -> HandOver:
    """Carry out the plan in one transaction (see the module docstring)."""
    if not can_hand_over(actor, user):
        raise PermissionDenied(_("Only an administrator or the user's manager may hand over."))
    user = User.objects.select_for_update().get(pk=user.pk)
    plan = handover_plan(actor=actor, user=user, assignments=assignments, default=default)
    if plan_token and plan_token != plan.token:
        raise Conflict(
            _(
                "%(user)s's customers, opportunities or tasks changed since the plan was shown; "
                "review the hand-over again."
            )
            % {"user": user.label}
        )
    note = _("Hand-over of %(user)s") % {"user": user.label}
    customer_services.customers_reassign(actor=actor, plan=plan.customers, note=note)
    opportunities_reassign(actor=actor, plan=plan.opportunities, note=note)
    followups_reassign(actor=actor, plan=plan.follow_ups, note=note)
    revoked = user_deactivate(actor=actor, user=user)
    summary = {**plan.summary(), **revoked}
    handover = HandOver.objects.create(
        user=user, by=actor, assignments=plan.chosen, summary=summary
    )
    audit_record(
        actor=actor,
        action=AuditAction.USER_HANDED_OVER,
        target=handover,
        changes={"user": user.get_username(), "assignments": plan.chosen, **summary},
    )
    _notify(actor=actor, plan=plan)
    return handover


def _notify(*, actor: User, plan: HandOverPlan) -> None:
    user = plan.user
    for key, share in plan.shares.items():
        if key is None or share.user is None:
            continue
        notification_send(
            users=[share.user],
            message=_(
                "%(user)s was handed over to you: %(customers)s customers, %(opportunities)s "
                "open opportunities and %(follow_ups)s open tasks are now yours."
            )
            % {"user": user.label, **share.counts()},
            link="/customers/?owner=me",
        )
    pool = plan.shares.get(None)
    if pool is not None and pool.customers:
        team_ids = {c.team_id for c in pool.customers}
        for team_id in team_ids:
            count = sum(1 for c in pool.customers if c.team_id == team_id)
            notification_send(
                users=[u for u in managers_of(team_id) if u.pk != actor.pk],
                message=_("%(count)s customers of %(user)s went to the team pool.")
                % {"count": count, "user": user.label},
                link="/pool/",
            )


# --- The team pool: what follows a claimed or returned customer --------------------------------


def _open_rows(customer: Customer, owner_id: int | None) -> tuple[list[int], list[int]]:
    opportunities = Opportunity.objects.filter(customer=customer, owner_id=owner_id).exclude(
        stage__in=CLOSED_STAGES
    )
    tasks = FollowUp.objects.filter(customer=customer, owner_id=owner_id, done_at__isnull=True)
    return list(opportunities.values_list("pk", flat=True)), list(
        tasks.values_list("pk", flat=True)
    )


@transaction.atomic
def pool_claim(*, actor: User, customer: Customer) -> Customer:
    """Claim a customer from the team pool; its open opportunities and tasks nobody holds
    follow it to the claimer. One transaction."""
    customer = customer_services.customer_claim(actor=actor, customer=customer)
    opportunity_ids, task_ids = _open_rows(customer, None)
    note = _("Claimed from the team pool")
    opportunities_reassign(actor=actor, plan=dict.fromkeys(opportunity_ids, actor), note=note)
    followups_reassign(actor=actor, plan=dict.fromkeys(task_ids, actor), note=note)
    return customer


@transaction.atomic
def pool_returns_bulk(
    *, actor: User, customer_ids: Iterable[int], reason: str, source: str | None = None
) -> list[int]:
    """pool_return for many customers at once (a workflow rule's batch): one bulk owner change
    (customers_reassign: an audit entry per customer, search documents and completeness in
    step) and the previous owners' open opportunities and tasks with them, in bulk. Customers
    already in a pool, or without a team, are left alone. Returns the ids returned."""
    owners = dict(
        Customer.objects.select_for_update(of=("self",))
        .filter(pk__in=list(customer_ids), owner__isnull=False, team__isnull=False)
        .values_list("pk", "owner_id")
    )
    if not owners:
        return []
    note = _("Returned to the team pool: %(reason)s") % {"reason": reason.strip()}
    customer_services.customers_reassign(
        actor=actor,
        plan=dict.fromkeys(owners, None),
        note=reason.strip(),  # as customer_return writes it
        source=source,
        pooled_action=AuditAction.CUSTOMER_RETURNED,
    )
    opportunities = (
        Opportunity.objects.filter(customer_id__in=list(owners))
        .exclude(stage__in=CLOSED_STAGES)
        .values_list("pk", "customer_id", "owner_id")
    )
    tasks = FollowUp.objects.filter(customer_id__in=list(owners), done_at__isnull=True).values_list(
        "pk", "customer_id", "owner_id"
    )
    follow = [pk for pk, customer_id, owner_id in opportunities if owners[customer_id] == owner_id]
    opportunities_reassign(actor=actor, plan=dict.fromkeys(follow, None), note=note, source=source)
    follow = [pk for pk, customer_id, owner_id in tasks if owners[customer_id] == owner_id]
    followups_reassign(actor=actor, plan=dict.fromkeys(follow, None), note=note, source=source)
    return list(owners)


@transaction.atomic
def pool_return(*, actor: User, customer: Customer, reason: str) -> Customer:
    """Return a customer to its team pool with a reason; the previous owner's open
    opportunities and tasks on it go with it (nobody holds them until it is claimed)."""
    locked = Customer.objects.select_for_update().filter(pk=customer.pk)
    previous = locked.values_list("owner_id", flat=True).first()
    customer = customer_services.customer_return(actor=actor, customer=customer, reason=reason)
    opportunity_ids, task_ids = _open_rows(customer, previous)
    note = _("Returned to the team pool: %(reason)s") % {"reason": reason.strip()}
    opportunities_reassign(actor=actor, plan=dict.fromkeys(opportunity_ids, None), note=note)
    followups_reassign(actor=actor, plan=dict.fromkeys(task_ids, None), note=note)
    return customer
