"""Rows of apps above dedupe that point at a customer or a contact (web-form leads).

A merge moves every row of the merged-away customer to the survivor through the owning app's
service. Apps below dedupe (contacts, interactions, opportunities, tags, review) are called by
name in kehu/dedupe/services.py; an app above it cannot be imported, so it registers, in its
AppConfig.ready(), a Mover: how to find its rows and which of its services moves them. Like the
review appliers (kehu/review/appliers.py), the one other place that calls upward at run time,
it is explicit: `grep register_mover` lists every one. customers.services.merge refuses to
delete a customer while any row still points at it, so an app that forgets stops the merge
instead of losing its rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kehu.accounts.models import User


@dataclass(frozen=True)
class Mover:
    label: str  # the model's label, "capture.lead": the key of its ids in Merge.moved
    rows_of_customer: Callable[[int], list[int]]  # ids of rows pointing at this customer
    rows_of_contact: Callable[[int], list[int]]  # ids of rows pointing at this contact
    move: Callable[..., list[int]]  # move(*, actor, ids, customer) -> ids moved
    move_to_contact: Callable[..., list[int]]  # move_to_contact(*, actor, ids, contact)


_MOVERS: dict[str, Mover] = {}


def register_mover(mover: Mover) -> None:
    """Called once per model from the owning app's AppConfig.ready()."""
    _MOVERS[mover.label] = mover


def movers() -> Iterable[Mover]:
    return list(_MOVERS.values())


def mover_for(label: str) -> Mover | None:
    return _MOVERS.get(label)


def contact_moves(contact_id: int) -> dict[str, list[int]]:
    """{label: ids} of the registered rows pointing at this contact."""
    found = {m.label: m.rows_of_contact(contact_id) for m in movers()}
    return {label: ids for label, ids in found.items() if ids}


def repoint_contact(*, actor: User, rows: dict[str, list[int]], contact: Any) -> None:
    for label, ids in rows.items():
        mover = mover_for(label)
        if mover is not None:
            mover.move_to_contact(actor=actor, ids=ids, contact=contact)
