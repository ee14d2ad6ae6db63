"""Applying and removing tags: atomic and audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kehu.audit.services import audit_record
from kehu.core.errors import ValidationFailed
from kehu.core.text import clean_text
from kehu.customers.models import Customer

from .models import CustomerTag, Tag


def _tag_name(raw: Any) -> str:
    name = clean_text(raw)
    if not name:
        raise ValidationFailed({"tag": ["Name the tag."]})
    if len(name) > 50:
        raise ValidationFailed({"tag": ["A tag has at most 50 characters."]})
    return name


@transaction.atomic
def tag_apply(*, actor: Any, customer: Customer, name: str, source: str | None = None) -> bool:
    """Put the tag on the customer (creating the tag if new); False when it was there already."""
    tag, _created = Tag.objects.get_or_create(name=_tag_name(name))
    _link, created = CustomerTag.objects.get_or_create(
        customer=customer,
        tag=tag,
        defaults={"added_by": actor if getattr(actor, "pk", None) else None},
    )
    if created:
        audit_record(
            actor=actor,
            action="customer.tagged",
            target=customer,
            changes={"tags": [None, tag.name]},
            source=source,
        )
    return created


@transaction.atomic
def tag_remove(*, actor: Any, customer: Customer, name: str) -> bool:
    """Take the tag off the customer; False when it was not there."""
    deleted, _ = CustomerTag.objects.filter(customer=customer, tag__name=_tag_name(name)).delete()
    if deleted:
        audit_record(
            actor=actor,
            action="customer.untagged",
            target=customer,
            changes={"tags": [name, None]},
        )
    return bool(deleted)
