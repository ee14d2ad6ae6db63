"""Scoped reads of contacts: 404 outside what the user may see, 403 where they may not change."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rapidfuzz.distance import Levenshtein

from kehu.accounts.models import User
from kehu.accounts.policy import get_for, scope_for
from kehu.core.normalize import compact, fold

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


def same_person_name(first: str, second: str) -> bool:
    """Whether two names name one person as written: equal once folded (width, 繁→简, case)
    and without spaces and punctuation ('孙 丽' is '孙丽'; '钱多多' is not)."""
    return compact(fold(first or "")) == compact(fold(second or ""))


def _typo_of(first: str, second: str) -> bool:
    """Whether one name is the other with one character changed, added or dropped (王建囯 for
    王建国), the rest of at least two characters alike."""
    a, b = compact(fold(first or "")), compact(fold(second or ""))
    return min(len(a), len(b)) >= 2 and Levenshtein.distance(a, b) <= 1


def decision_maker_target(
    contacts: list[Contact], values: dict[str, Any]
) -> tuple[Contact | None, Contact | None]:
    """(the contact a decision maker's values describe, the current decision maker).

    The values describe the current decision maker unless they name someone else (an empty
    name names no one); then the current contact of that name, else the current contact with
    that mobile (not the decision maker: a mobile handed on does not make them one person),
    else no one: a new contact to add. The caller makes the target the decision maker and,
    when it is another contact, leaves the former one a contact in no decision role.
    """
    current = decision_maker_of(contacts)
    name = values.get("name") or ""
    if current is not None and (not name or same_person_name(name, current.name)):
        return current, current
    mobile = values.get("mobile") or ""
    if current is not None and mobile and mobile == current.mobile and _typo_of(name, current.name):
        return current, current  # 王建国 -> 王建囯 with the same mobile: a typo put right
    live = [c for c in contacts if not c.has_left]
    if name:
        for contact in live:
            if same_person_name(name, contact.name):
                return contact, current
    if mobile:
        for contact in live:
            if contact is not current and contact.mobile == mobile:
                return contact, current
    return None, current
