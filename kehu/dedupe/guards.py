"""The on-save duplicate check as a change guard (settings.KEHU_CHANGE_GUARDS).

Creating or editing a customer runs the rapidfuzz check; by the admin's duplicate action it
allows, warns (409 until the caller confirms with allow_duplicate), or blocks (409 always).
Matches the caller may not see are counted, not shown.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.accounts.policy import scope_for
from kehu.core.guards import ProbableDuplicate
from kehu.customers.models import Customer

from .models import DuplicateAction
from .services import duplicate_check

CONTEXTS = {"customer_create": "create", "customer_update": "edit"}


def duplicate_guard(*, action: str, actor: Any, customer: Any = None, data: Any = None) -> None:
    context = CONTEXTS.get(action)
    if context is None or not isinstance(data, dict):
        return
    if action == "customer_update" and not {
        "name",
        "credit_code",
        "phone",
        "mobile",
        "email",
    } & set(data):
        return  # nothing a duplicate is recognised by has changed
    payload = {k: v for k, v in data.items() if k != "allow_duplicate"}
    if customer is not None:
        payload = {
            "name": customer.name,
            "credit_code": customer.credit_code,
            "phone": customer.phone,
            "email": customer.email,
            "address": customer.address,
            **payload,
        }
    result = duplicate_check(
        data=payload, context=context, exclude_id=customer.pk if customer is not None else None
    )
    if result.action not in (DuplicateAction.Action.ALERT, DuplicateAction.Action.BLOCK):
        return
    blocked = result.action == DuplicateAction.Action.BLOCK
    if not blocked and data.get("allow_duplicate"):
        return
    ids = [m.customer.pk for m in result.matches]
    visible = set(
        scope_for(actor, Customer.objects.filter(pk__in=ids)).values_list("pk", flat=True)
    )
    matches = [
        {
            "customer_no": m.customer.customer_no,
            "name": m.customer.name,
            "score": round(m.score, 3),
            "url": reverse("customer-detail", args=[m.customer.customer_no]),
            "reasons": m.explanation(),
        }
        for m in result.matches
        if m.customer.pk in visible
    ]
    hidden = len(result.matches) - len(matches)
    if blocked:
        message = _("A customer like this exists already; saving a duplicate is not allowed.")
    else:
        message = _(
            "This looks like a customer that exists already. Check it, or confirm to save anyway."
        )
    if hidden:
        message += " " + _("%(count)s similar customer(s) belong to colleagues.") % {
            "count": hidden
        }
    raise ProbableDuplicate(message, matches=matches, blocked=blocked)
