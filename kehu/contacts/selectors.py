"""Scoped reads of contacts: 404 outside what the user may see, 403 where they may not change."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kehu.accounts.models import User
from kehu.accounts.policy import get_for, scope_for

from .models import Contact


def contact_queryset_for(user: User | Any) -> QuerySet[Contact]:
    return scope_for(user, Contact.objects.select_related("customer"))


def contact_get_for(user: User | Any, contact_id: int, *, for_change: bool = False) -> Contact:
    """The contact if the user may see it (else NotFound), and change it with for_change (else
    PermissionDenied)."""
    return get_for(
        user,
        Contact.objects.select_related("customer"),
        for_change=for_change,
        pk=contact_id,
    )


def decision_maker_of(contacts: list[Contact]) -> Contact | None:
    """The customer's decision maker: a current contact in that role, the primary one first."""
    makers = [
        c
        for c in contacts
        if not c.has_left and c.decision_role == Contact.DecisionRole.DECISION_MAKER
    ]
    makers.sort(key=lambda c: (not c.is_primary, c.pk or 0))
    return makers[0] if makers else None
