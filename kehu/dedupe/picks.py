"""Which record's value a merge keeps, field by field: the defaults the steward starts from, and
the steward's choices checked and turned into values (reads only; the merge writes).

Defaults, per field:
- status: the furthest of the two (潜在 < 意向 < 成交; 流失 lowest: see
  kehu/customers/services/merge.py); a choice that moves it backwards is refused.
- name: the registered full name: the one beside a credit code, else one with a legal form
  (有限公司), else the fuller one; on a tie, the more recently updated record's. The kind
  (company or individual) goes with the name.
- owner and team: the survivor's. They change only when the steward picks the other record's,
  and the page and the result say so.
- budget (finance fields): like any field, but the survivor's for a role that may not change
  finance fields (kehu.accounts.policy.can_edit_finance): the merge would be refused otherwise.
- any other field: the more recently updated record's value when it has one, else the other's.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.policy import can_edit_finance, finance_fields_of
from kehu.core.errors import ValidationFailed
from kehu.customers.models import Customer
from kehu.customers.services.merge import MERGE_FIELDS, STATUS_RANK, name_rank

SIDES = ("survivor", "merged")
OWNERSHIP_FIELDS = ("owner_id", "team_id")
FINANCE_FIELDS = finance_fields_of("customers.customer")


def merge_defaults(
    survivor: Customer, merged: Customer, *, actor: User | None = None
) -> dict[str, str]:
    """{field: "survivor" or "merged"}: the value a merge keeps unless the steward chooses."""
    newer, older = (
        ("merged", "survivor")
        if merged.updated_at > survivor.updated_at
        else ("survivor", "merged")
    )
    records = {"survivor": survivor, "merged": merged}
    choice: dict[str, str] = {}
    for name in MERGE_FIELDS:
        choice[name] = newer if getattr(records[newer], name) not in (None, "") else older
    for name in OWNERSHIP_FIELDS:
        choice[name] = "survivor"
    if STATUS_RANK.get(merged.status, 0) > STATUS_RANK.get(survivor.status, 0):
        choice["status"] = "merged"
    elif STATUS_RANK.get(merged.status, 0) < STATUS_RANK.get(survivor.status, 0):
        choice["status"] = "survivor"
    ranks = {side: name_rank(record) for side, record in records.items()}
    if ranks["survivor"] != ranks["merged"]:
        choice["name"] = max(SIDES, key=lambda side: ranks[side])
    choice["kind"] = choice["name"]  # a company's name, a company; a person's, a person
    if actor is not None and not can_edit_finance(actor):
        for name in FINANCE_FIELDS:
            choice[name] = "survivor"
    return choice


def merge_picks(
    survivor: Customer,
    merged: Customer,
    choices: dict[str, str] | None,
    *,
    actor: User | None = None,
) -> dict[str, str]:
    """The defaults with the steward's choices over them (ValidationFailed naming each bad one,
    as `fields.<name>`, the API's field)."""
    picks = merge_defaults(survivor, merged, actor=actor)
    errors: dict[str, list[str]] = {}
    for name, side in (choices or {}).items():
        if name not in MERGE_FIELDS:
            errors[f"fields.{name}"] = [_("Not a field that can be merged.")]
        elif side not in SIDES:
            errors[f"fields.{name}"] = [_("Choose 'survivor' or 'merged'.")]
        else:
            picks[name] = side
    if errors:
        raise ValidationFailed(errors)
    return picks


def merge_values(survivor: Customer, merged: Customer, picks: dict[str, str]) -> dict[str, Any]:
    """{field: value} the survivor takes from the merged record (only values that differ)."""
    return {
        name: getattr(merged, name)
        for name, side in picks.items()
        if side == "merged" and getattr(merged, name) != getattr(survivor, name)
    }
