"""The customer guards, for the rows an import creates in bulk (its updates meet them inside
customer_update). Same rules, same order as the customer write path:

- finance fields: a budget in a row of someone who may not set one fails the row, naming it;
- duplicates: a row sharing a mobile, a personal e-mail or the registered name with an existing
  customer is, by the admin's policy for imports, warned about in the report (alert, the
  default), refused (block), created and queued for the data steward (queue), or let be (allow);
- review: a row a sales rep imports as 成交/流失, or with a budget past the large-budget rule,
  waits for the manager as a new customer to approve; nothing of it is created now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.policy import assert_finance_editable
from kehu.contacts.models import Contact
from kehu.core.errors import PermissionDenied
from kehu.customers.models import Customer, DuplicateAction
from kehu.customers.services.duplicates import (
    IDENTITY_LABELS,
    CheckResult,
    action_for,
    duplicate_queue,
    identity_matches,
)
from kehu.customers.services.review_rules import customer_change_hold
from kehu.customers.services.write import json_ready
from kehu.review.models import ReviewItem
from kehu.review.services import review_hold

from ..models import ImportRow, ImportRun
from ..pipeline import Context, complete
from ..rows import CleanRow
from .common import Outcome

Item = tuple[ImportRow, Customer, Contact | None, int]


def guard_creates(
    run: ImportRun,
    items: list[Item],
    rows: dict[int, CleanRow],
    *,
    actor: User | None,
    dry_run: bool,
    context: Context | None,
    namer: Callable[[Any, set[int]], Callable[..., str]],
) -> tuple[list[Item], dict[int, list[Customer]]]:
    """The rows that may be created now, and the duplicates to queue for the steward once they
    are ({row number: matched customers}). Refused and held rows are marked on their result."""
    kept: list[Item] = []
    for item in items:
        result, customer, _maker, number = item
        if _finance_refused(result, customer, actor) or _held(
            run, result, customer, rows[number], actor=actor, dry_run=dry_run, context=context
        ):
            continue
        kept.append(item)
    policy = action_for("import")
    queued: dict[int, list[Customer]] = {}
    if policy == DuplicateAction.Action.ALLOW or not kept:
        return kept, queued
    hits = identity_matches([(customer, maker) for _r, customer, maker, _n in kept])
    named = namer(actor, {hit.customer.pk for found in hits for hit in found})
    allowed: list[Item] = []
    for item, found in zip(kept, hits, strict=True):
        result, _customer, _maker, number = item
        if not found:
            allowed.append(item)
            continue
        text = "; ".join(
            _("probably the same as %(customer)s (%(reason)s)")
            % {"customer": named(hit.customer), "reason": IDENTITY_LABELS[hit.reason]}
            for hit in found
        )
        if policy == DuplicateAction.Action.BLOCK:
            result.outcome, result.raw = Outcome.FAILED, rows[number].raw
            result.errors = {"duplicate": [_("Not created: %(why)s.") % {"why": text}]}
            result.is_incomplete = False
            continue
        result.warnings = {**(result.warnings or {}), "duplicate": [text]}
        if policy == DuplicateAction.Action.QUEUE:
            queued[number] = [hit.customer for hit in found]
        allowed.append(item)
    return allowed, queued


def queue_duplicates(
    actor: User | None, created: list[Item], queued: dict[int, list[Customer]]
) -> None:
    """After the rows are written: each queued row's duplicates wait for the data steward."""
    for result, customer, _maker, number in created:
        others = queued.get(number)
        if others and result.outcome == Outcome.CREATED and customer.pk:
            from kehu.customers.matching import Match

            matches = [Match(other, 1.0, 0.0, {}) for other in others]
            duplicate_queue(actor=actor, customer=customer, result=CheckResult("queue", matches))


def _finance_refused(result: ImportRow, customer: Customer, actor: User | None) -> bool:
    changed = {
        name
        for name in ("budget_amount", "budget_band")
        if getattr(customer, name) not in (None, "")
    }
    try:
        assert_finance_editable(actor, "customers.customer", changed)
    except PermissionDenied as exc:
        field = "budget_amount" if "budget_amount" in changed else "budget_band"
        result.outcome, result.errors, result.is_incomplete = (
            Outcome.FAILED,
            {field: [exc.message]},
            False,
        )
        return True
    return False


def _held(
    run: ImportRun,
    result: ImportRow,
    customer: Customer,
    row: CleanRow,
    *,
    actor: User | None,
    dry_run: bool,
    context: Context | None,
) -> bool:
    values = {"status": customer.status, "budget_amount": customer.budget_amount}
    hold = customer_change_hold(actor=actor, customer=None, values=values)
    if hold is None or actor is None:  # the system is never held (review_rules._exempt)
        return False
    result.outcome, result.is_incomplete = Outcome.SKIPPED, False
    if dry_run:
        result.note = _("Would wait for review by a manager: %(reason)s") % {"reason": hold.reason}
        return True
    if context is not None:
        row = complete(row, context)
    payload = dict(row.payload)
    item = review_hold(
        actor=actor,
        action=ReviewItem.Action.CUSTOMER_CREATE,
        rule=hold.rule,
        reason=hold.reason,
        payload=json_ready({**payload, "status_reason": f"Import #{run.pk}"}),
        team_id=actor.team_id,
    )
    result.note = _("Waits for review by a manager (#%(id)s): %(reason)s") % {
        "id": item.pk,
        "reason": hold.reason,
    }
    return True
