"""Which customer and contact changes wait for a person (kehu.review): the anomaly rules first
(they say why a change looks wrong), then the approval rule. Pure decisions over the record and the cleaned values; the write path
(write.py) holds what these return.

- approval: a sales rep changing a key field (name, credit code, owner, budget) or moving a
  customer to 成交 / 流失 (also when creating it so) waits for the team's manager;
- amount_jump: a budget set to ≥ N× the current one;
- large_budget: a budget of N yuan or more, new or changed;
- vip_phone: a phone of a VIP customer (tag VIP, band >50万 or a budget above N) changes, on
  the customer or on any of its contacts;
- bulk_change: one action changing the status or owner of more than N customers.
Administrators are the reviewers: their own changes are not held.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.contacts.models import Contact
from kehu.review.models import ReviewRule
from kehu.review.rules import active_rule, format_yuan

from ..display import field_label
from ..models import Customer

Kind = ReviewRule.Kind
KEY_FIELDS = ("name", "credit_code", "owner", "budget_band", "budget_amount")
HELD_STATUSES = (Customer.Status.WON, Customer.Status.LOST)
VIP_TAG = "VIP"
PHONE_KEYS = ("mobile", "landline")


@dataclass(frozen=True)
class Hold:
    rule: str
    reason: str


def _exempt(actor: User | None) -> bool:
    return actor is None or not actor.is_authenticated or actor.role == Role.ADMIN


def _key_changes(customer: Customer | None, values: dict[str, Any]) -> list[str]:
    """Key fields this change alters; a new customer has only its status checked here (its
    budget meets the budget rules)."""
    changed = []
    for name in KEY_FIELDS:
        if customer is None or name not in values:
            continue
        new = values[name]
        old = getattr(customer, name)
        if name == "owner":
            if getattr(new, "pk", None) != customer.owner_id:
                changed.append(name)
        elif new != old and not (new in (None, "") and old in (None, "")):
            changed.append(name)
    status = values.get("status")
    if status in HELD_STATUSES and (customer is None or status != customer.status):
        changed.append("status")
    return changed


def is_vip(customer: Customer) -> bool:
    rule = active_rule(Kind.VIP_PHONE)
    if customer.budget_band == Customer.BudgetBand.OVER_500K:
        return True
    if rule and customer.budget_amount is not None and customer.budget_amount > rule.threshold:
        return True
    return customer.customer_tags.filter(tag__name=VIP_TAG).exists()


def _budget_hold(customer: Customer | None, values: dict[str, Any]) -> Hold | None:
    new = values.get("budget_amount")
    if not isinstance(new, Decimal):
        return None
    old = customer.budget_amount if customer is not None else None
    if old is not None and new == old:
        return None
    rule = active_rule(Kind.AMOUNT_JUMP)
    if rule and old and old > 0 and new >= old * rule.threshold:
        return Hold(
            rule.kind,
            _("Budget from %(old)s to %(new)s (≥ %(factor)s×)")
            % {"old": format_yuan(old), "new": format_yuan(new), "factor": f"{rule.threshold:g}"},
        )
    rule = active_rule(Kind.LARGE_BUDGET)
    if rule and rule.threshold > 0 and new >= rule.threshold:
        return Hold(
            rule.kind,
            _("Budget of %(new)s (≥ %(limit)s)")
            % {"new": format_yuan(new), "limit": format_yuan(rule.threshold)},
        )
    return None


def _phones_change(customer: Customer, values: dict[str, Any]) -> list[str]:
    changed = []
    if "phone" in values and (values["phone"] or "") != customer.phone:
        changed.append("phone")
    maker = values.get("decision_maker")
    if isinstance(maker, dict):
        current = (
            Contact.objects.filter(customer=customer, decision_role="decision_maker")
            .order_by("-is_primary", "id")
            .first()
        )
        for key in PHONE_KEYS:
            if key in maker and (current is None or maker[key] != getattr(current, key)):
                if current is not None or maker[key]:
                    changed.append(f"decision_maker.{key}")
    return changed


def customer_change_hold(
    *, actor: User | None, customer: Customer | None, values: dict[str, Any]
) -> Hold | None:
    """The rule that holds this create (customer None) or change, or None."""
    if _exempt(actor):
        return None
    assert actor is not None
    hold = _budget_hold(customer, values)
    if hold is not None:
        return hold
    if customer is not None and active_rule(Kind.VIP_PHONE) and is_vip(customer):
        changed = _phones_change(customer, values)
        if changed:
            return Hold(
                Kind.VIP_PHONE,
                _("A VIP customer's phone changes (%(fields)s)") % {"fields": ", ".join(changed)},
            )
    if actor.role == Role.REP and active_rule(Kind.APPROVAL):
        changed = _key_changes(customer, values)
        if changed:
            labels = "、".join(field_label(Customer, name) for name in changed)
            return Hold(Kind.APPROVAL, _("Key fields: %(fields)s") % {"fields": labels})
    return None


def contact_change_hold(
    *, actor: User | None, contact: Contact | None, customer: Customer, values: dict[str, Any]
) -> Hold | None:
    """A phone of an existing contact of a VIP customer changing waits."""
    if contact is None or _exempt(actor):
        return None
    if not active_rule(Kind.VIP_PHONE) or not is_vip(customer):
        return None
    changed = [
        key for key in PHONE_KEYS if key in values and (values[key] or "") != getattr(contact, key)
    ]
    if not changed:
        return None
    return Hold(
        Kind.VIP_PHONE,
        _("A VIP customer's contact phone changes (%(fields)s)") % {"fields": ", ".join(changed)},
    )


def bulk_change_hold(*, actor: User | None, count: int, changes: dict[str, Any]) -> Hold | None:
    if _exempt(actor) or not {"status", "owner"} & set(changes):
        return None
    rule = active_rule(Kind.BULK_CHANGE)
    if rule and count > rule.threshold:
        return Hold(
            rule.kind,
            _("%(count)s customers' status or owner at once (limit %(limit)s)")
            % {"count": count, "limit": f"{rule.threshold:g}"},
        )
    return None
