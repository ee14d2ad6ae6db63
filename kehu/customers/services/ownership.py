"""Who owns a customer and who else sees it: sharing, the team pool, reassignment.

Every owner or team change of a customer outside a form edit goes through here (hand-over,
the pool, claims), audited, with the search index in step.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import Team, User
from kehu.accounts.policy import can_assign_pool, can_share_customer
from kehu.audit.services import audit_record
from kehu.core.errors import PermissionDenied, ValidationFailed

from ..models import Customer, CustomerShare
from .derived import customer_reindex


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
            action="customer.shared",
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
            action="customer.unshared",
            target=customer,
            changes={"user": [str(user), None]},
        )


@transaction.atomic
def customer_assign_pool(*, actor: User, customer: Customer, team: Team) -> Customer:
    """Put the customer into `team`'s pool: the team's reps see it until someone owns it."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if not can_assign_pool(actor, customer):
        raise PermissionDenied(_("You may not assign this customer to a team pool."))
    before = [str(customer.team) if customer.team_id else None, str(customer.owner or "") or None]
    customer.team = team
    customer.owner = None
    customer.save(update_fields=["team", "owner", "updated_at"])
    customer_reindex(customer)
    audit_record(
        actor=actor,
        action="customer.pooled",
        target=customer,
        changes={"team": [before[0], team.name], "owner": [before[1], None]},
    )
    return customer
