"""Where a merged-away customer number leads: its old addresses (/customers/<no>/ and
/api/v1/customers/<no>) redirect to the customer it was merged into.

The record is the dedupe app's Merge row (merged_customer_no -> survivor, kept while the merge
stands). dedupe sits above customers, so it registers its look-up here in its AppConfig.ready(),
as apps register review appliers (kehu/review/appliers.py): `grep register_merged_lookup` finds
the one caller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kehu.accounts.policy import scope_for

from .models import Customer

Lookup = Callable[[str], "int | None"]  # customer number -> survivor id, or None
_lookups: list[Lookup] = []


def register_merged_lookup(lookup: Lookup) -> None:
    if lookup not in _lookups:
        _lookups.append(lookup)


def customer_merged_into_for(user: Any, customer_no: str) -> Customer | None:
    """The customer this number was merged into, if the user may see it; None otherwise (the
    caller answers 404, as for any number it cannot show)."""
    number = str(customer_no).strip().upper()
    for lookup in _lookups:
        survivor_id = lookup(number)
        if survivor_id is not None:
            return scope_for(user, Customer.objects.filter(pk=survivor_id)).first()
    return None
