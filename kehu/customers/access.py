"""Sharing, the team pool and revealing masked fields: scoped by kehu.accounts.policy, audited.

Masking itself (what a schema or page shows) is `pii_value`; the whole value leaves only through
`pii_reveal`, which writes one "field.revealed" entry per value shown.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import Team, User
from kehu.accounts.policy import (
    can_assign_pool,
    can_reveal_pii,
    can_share_customer,
)
from kehu.audit.services import audit_record
from kehu.core.errors import ValidationFailed
from kehu.core.search_index import search_index_contact, search_index_customer

from .masking import PII_FIELDS, customer_of
from .models import Contact, Customer, CustomerShare
from .services import PermissionDenied


def pii_reveal(*, actor: Any, obj: Customer | Contact, field: str) -> str:
    """The whole value of one masked field; audited as "field.revealed". 404 is the caller's."""
    if field not in PII_FIELDS or not hasattr(obj, field):
        raise ValidationFailed({"field": [_("This field cannot be revealed.")]})
    customer = customer_of(obj)
    if not can_reveal_pii(actor, customer):
        raise PermissionDenied(_("You may not reveal contact details of this customer."))
    audit_record(
        actor=actor,
        action="field.revealed",
        target=obj,
        customer_id=customer.pk,
        changes={"field": field},
    )
    return str(getattr(obj, field) or "")


@transaction.atomic
def customer_share(*, actor: Any, customer: Customer, user: User) -> CustomerShare:
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
def customer_unshare(*, actor: Any, customer: Customer, user: User) -> None:
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
def customer_assign_pool(*, actor: Any, customer: Customer, team: Team) -> Customer:
    """Put the customer into `team`'s pool: the team's reps see it until someone owns it."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if not can_assign_pool(actor, customer):
        raise PermissionDenied(_("You may not assign this customer to a team pool."))
    before = [str(customer.team) if customer.team_id else None, str(customer.owner or "") or None]
    customer.team = team
    customer.owner = None
    customer.save(update_fields=["team", "owner", "updated_at"])
    search_index_customer(customer)
    for contact in customer.contacts.all():
        search_index_contact(contact)
    audit_record(
        actor=actor,
        action="customer.pooled",
        target=customer,
        changes={"team": [before[0], team.name], "owner": [before[1], None]},
    )
    return customer
