"""Revealing masked fields: scoped by kehu.accounts.policy, audited.

Masking itself (what a schema or page shows) is `pii_value`; the whole value leaves only through
`pii_reveal`, which writes one "field.revealed" entry per value shown (in the change log's chain,
kept for good) and one "reveal" entry in the read log (the query log, kept for its retention).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.policy import CALL_FIELDS, can_reveal_pii, can_reveal_to_call
from kehu.audit.actions import AuditAction
from kehu.audit.models import ReadEntry
from kehu.audit.services import audit_record, read_record
from kehu.core.errors import PermissionDenied, ValidationFailed

from .masking import PII_FIELDS, customer_of
from .models import Contact, Customer

REASON_MAX = 200


def pii_reveal(*, actor: User, obj: Customer | Contact, field: str, reason: str = "") -> str:
    """The whole value of one masked field; audited as "field.revealed" (with the reason given,
    if any). Support may reveal a won customer's phone numbers to call them, and must give a
    reason (policy.can_reveal_to_call). 404 is the caller's."""
    if field not in PII_FIELDS or not hasattr(obj, field):
        raise ValidationFailed({"field": [_("This field cannot be revealed.")]})
    customer = customer_of(obj)
    reason = " ".join((reason or "").split())
    if not can_reveal_pii(actor, customer):
        if not can_reveal_to_call(actor, customer) or field not in CALL_FIELDS:
            raise PermissionDenied(_("You may not reveal contact details of this customer."))
        if not reason:
            raise ValidationFailed({"reason": [_("Say why you need the number (e.g. a call).")]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            {"reason": [_("At most %(count)s characters.") % {"count": REASON_MAX}]}
        )
    audit_record(
        actor=actor,
        action=AuditAction.FIELD_REVEALED,
        target=obj,
        customer_id=customer.pk,
        changes={"field": field},
        note=reason,
    )
    read_record(actor=actor, kind=ReadEntry.Kind.REVEAL, target=obj, query=field)
    return str(getattr(obj, field) or "")
