"""Opportunities and orders: validated, atomic, audited."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.assignees import assert_assignable, clean_user_field
from kehu.accounts.models import User
from kehu.accounts.policy import assert_finance_editable
from kehu.audit.actions import AuditAction
from kehu.audit.services import PendingEntry, audit_record, audit_record_many, diff_fields
from kehu.core.cleaning import FieldCleaner
from kehu.core.errors import ChangeHeld, ValidationFailed
from kehu.core.numbering import next_number
from kehu.core.validators import build_aliases, parse_amount, parse_choice, parse_date
from kehu.core.versioning import version_check, version_next, version_pop
from kehu.customers.models import Customer
from kehu.customers.services import customer_change_status

from ..models import Opportunity, Order, OrderLine
from ..validators import STAGE_ALIASES
from .lines import lines_snapshot, opportunity_lines_clean, opportunity_lines_write
from .moves import opportunities_move as opportunities_move
from .moves import orders_anonymise as orders_anonymise
from .moves import orders_bulk_add as orders_bulk_add
from .moves import orders_move as orders_move
from .stages import STAGE_EXTRAS, stage_extras_clean, stage_record, won_amount_of

ORIGIN_ALIASES = build_aliases(
    Opportunity.Origin,
    {"manual": ["手工"], "chat_capture": ["聊天"], "web_form": ["表单"], "import": ["导入"]},
)
ORDER_STATUS_ALIASES = build_aliases(
    Order.Status,
    {
        "signed": ["已签订", "签订"],
        "in_progress": ["执行中"],
        "completed": ["已完成", "完成"],
        "cancelled": ["已取消", "取消"],
    },
)
OPPORTUNITY_FIELDS = (
    "title",
    "expected_amount",
    "stage",
    "expected_close_date",
    "owner_id",
    "source",
)
# The columns' limits: quantity DECIMAL(12, 2), amounts DECIMAL(14, 2).
MAX_QUANTITY = Decimal("1e10")
MAX_AMOUNT = Decimal("1e12")
ORDER_FIELDS = ("order_no", "signed_on", "amount", "status", "notes")


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def opportunity_clean(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    c = FieldCleaner(data)
    c.field("title", max_length=200)
    if (creating or "title" in data) and not c.values.get("title") and "title" not in c.errors:
        c.values.pop("title", None)
        c.error("title", _("Give the opportunity a title."))
    c.field("expected_amount", parse_amount, empty=None)
    c.field(
        "stage", lambda t: parse_choice(t, STAGE_ALIASES), empty=Opportunity.Stage.INITIAL_CONTACT
    )
    c.field("expected_close_date", parse_date, empty=None)
    c.field("source", lambda t: parse_choice(t, ORIGIN_ALIASES), empty=Opportunity.Origin.MANUAL)
    clean_user_field(c, "owner")
    c.raise_if_errors()
    return c.values


def won_order_lines(opportunity: Opportunity, amount: Decimal) -> list[dict[str, Any]] | None:
    """The won order's lines: the opportunity's product lines when they add up to `amount`."""
    lines = list(opportunity.lines.select_related("product"))
    if not lines or sum((line.amount for line in lines), Decimal("0")) != amount:
        return None
    return [
        {"product": line.product.name, "quantity": line.quantity, "unit_price": line.unit_price}
        for line in lines
    ]


class _Cleaned:
    """An opportunity's cleaned fields, its stage change's extras and its product lines."""

    def __init__(
        self,
        data: dict[str, Any],
        *,
        creating: bool,
        stage: str | None,
        lost_reason_required: bool = True,
    ) -> None:
        fields = {k: v for k, v in data.items() if k not in STAGE_EXTRAS and k != "lines"}
        extras = {k: v for k, v in data.items() if k in STAGE_EXTRAS}
        errors: dict[str, list[str]] = {}
        try:
            self.values = opportunity_clean(fields, creating=creating)
        except ValidationFailed as exc:
            self.values, errors = {}, dict(exc.errors)
        self.lines: list[dict[str, Any]] | None = None
        if data.get("lines") is not None:
            self.lines, line_errors = opportunity_lines_clean(data["lines"])
            errors.update(line_errors)
        target = self.values.get("stage", stage) or Opportunity.Stage.INITIAL_CONTACT
        moving = creating or ("stage" in self.values and self.values["stage"] != stage)
        self.stage: dict[str, Any] = {}
        if moving or extras:
            self.stage = stage_extras_clean(
                extras,
                stage=target,
                errors=errors,
                creating=creating and not lost_reason_required,
            )
        if errors:
            raise ValidationFailed(errors)

    def touches_amount(self, opportunity: Opportunity | None) -> bool:
        current = opportunity.expected_amount if opportunity else None
        if self.lines is not None or self.stage.get("won_amount") not in (None, current):
            return True
        return "expected_amount" in self.values and self.values["expected_amount"] != current


def _apply_lines_and_stage(*, actor: User, opportunity: Opportunity, cleaned: _Cleaned) -> None:
    """Write the product lines (their total becomes the amount), then the lost reason (cleared
    off Lost), the won amount and the won order."""
    if cleaned.lines is not None:
        opportunity.expected_amount = opportunity_lines_write(opportunity, cleaned.lines)
    stage_values = cleaned.stage
    if "lost_reason" in stage_values or opportunity.stage != Opportunity.Stage.LOST:
        opportunity.lost_reason = stage_values.get("lost_reason")
    if stage_values.get("won_amount") is not None:
        opportunity.expected_amount = stage_values["won_amount"]
    if stage_values.get("create_order"):
        amount = won_amount_of(opportunity, stage_values)
        if amount is None:
            raise ValidationFailed({"won_amount": [_("Give the won amount to create the order.")]})
        opportunity.won_order = order_create(
            actor=actor,
            customer=opportunity.customer,
            data={
                "amount": amount,
                "notes": opportunity.title,
                "lines": won_order_lines(opportunity, amount),
            },
        )


@transaction.atomic
def opportunity_create(
    *,
    actor: User,
    customer: Customer,
    data: dict[str, Any],
    at: datetime | None = None,
    lost_reason_required: bool = False,
) -> Opportunity:
    """Add an opportunity; its stage history starts (`at`: when, for the sandbox's history).

    `lost_reason_required`: one entered as lost by a person (the API, the 360 page) needs its
    lost reason, as a move to lost does; an import of deals recorded as lost already, the
    sandbox's history, may bring none (the default)."""
    cleaned = _Cleaned(data, creating=True, stage=None, lost_reason_required=lost_reason_required)
    assert_finance_editable(
        actor,
        "opportunities.opportunity",
        {"expected_amount"}
        if cleaned.touches_amount(None) or cleaned.values.get("expected_amount") is not None
        else set(),
    )
    assert_assignable(customer, owner=cleaned.values.get("owner"))
    cleaned.values.setdefault("owner", customer.owner)
    opportunity = Opportunity.objects.create(customer=customer, **cleaned.values)
    _apply_lines_and_stage(actor=actor, opportunity=opportunity, cleaned=cleaned)
    opportunity.save()
    changes = diff_fields({}, _snapshot(opportunity, OPPORTUNITY_FIELDS))
    if cleaned.lines:
        changes["products"] = [None, lines_snapshot(opportunity)]
    audit_record(
        actor=actor, action=AuditAction.OPPORTUNITY_CREATED, target=opportunity, changes=changes
    )
    reason = opportunity.lost_reason.name if opportunity.lost_reason else ""
    stage_record(actor=actor, opportunity=opportunity, from_stage="", note=reason, now=at)
    if opportunity.stage == Opportunity.Stage.WON:
        # entered as won (a deal closed on the spot): its customer is won as after a move
        opportunity.customer_won = customer_won(actor=actor, opportunity=opportunity)
    return opportunity


@transaction.atomic
def opportunity_update(
    *,
    actor: User,
    opportunity: Opportunity,
    data: dict[str, Any],
    at: datetime | None = None,
) -> Opportunity:
    """Change fields, lines or the stage (a move is recorded in the stage history, `at` then).

    `version` in data: the version the editor started from (another one is a VersionConflict,
    409); without it the change is not checked (last write wins)."""
    data = dict(data)
    version_check(opportunity, version_pop(data))
    cleaned = _Cleaned(data, creating=False, stage=opportunity.stage)
    assert_finance_editable(
        actor,
        "opportunities.opportunity",
        {"expected_amount"} if cleaned.touches_amount(opportunity) else set(),
    )
    values = cleaned.values
    if values.get("owner") is not None and values["owner"] != opportunity.owner:
        assert_assignable(opportunity.customer, owner=values["owner"])
    before = _snapshot(opportunity, OPPORTUNITY_FIELDS)
    lines_before = lines_snapshot(opportunity) if cleaned.lines is not None else None
    from_stage = opportunity.stage
    reason_before = opportunity.lost_reason.name if opportunity.lost_reason else None
    for key, value in values.items():
        setattr(opportunity, key, value)
    _apply_lines_and_stage(actor=actor, opportunity=opportunity, cleaned=cleaned)
    opportunity.save()
    changes = diff_fields(before, _snapshot(opportunity, OPPORTUNITY_FIELDS))
    # A move of stage is its own entry, "opportunity.stage_changed" (stage_record); the other
    # fields changed with it, if any, are "opportunity.updated".
    changes.pop("stage", None)
    if lines_before is not None and lines_before != lines_snapshot(opportunity):
        changes["products"] = [lines_before, lines_snapshot(opportunity)]
    reason = opportunity.lost_reason.name if opportunity.lost_reason else None
    if opportunity.stage == from_stage and reason != reason_before:
        changes["lost_reason"] = [reason_before, reason]
    if changes:
        audit_record(
            actor=actor, action=AuditAction.OPPORTUNITY_UPDATED, target=opportunity, changes=changes
        )
    if opportunity.stage != from_stage:
        stage_record(
            actor=actor, opportunity=opportunity, from_stage=from_stage, note=reason or "", now=at
        )
        if opportunity.stage == Opportunity.Stage.WON:
            opportunity.customer_won = customer_won(actor=actor, opportunity=opportunity)
    return opportunity


def customer_won(*, actor: User | None, opportunity: Opportunity) -> str:
    """A won deal makes its customer 成交客户 through the customers' write path and its guards:
    at once for a manager, after the manager's approval for a rep (the change waits in the
    review queue; the deal stays won). The status change is what tells support (the workflow's
    成交客户 rule), who see only won customers. Returns "already", "changed", "held" or
    "refused" (the status cannot move, e.g. a merged-away customer; the deal stays won)."""
    customer = opportunity.customer
    if customer.status == Customer.Status.WON:
        return "already"
    reason = _("Opportunity won: %(title)s") % {"title": opportunity.title}
    try:
        customer_change_status(
            actor=actor, customer=customer, status=Customer.Status.WON, reason=reason
        )
    except ChangeHeld:
        return "held"
    except (ValidationFailed, PermissionDenied):
        return "refused"
    customer.refresh_from_db(fields=["status"])
    return "changed"


@transaction.atomic
def opportunities_reassign(
    *, actor: User, plan: Mapping[int, User | None], note: str = "", source: str | None = None
) -> int:
    """Give each opportunity of `plan` ({opportunity id: new owner, or None}) its new owner in
    bulk (a hand-over, the team pool): one UPDATE per owner and one "opportunity.updated" audit
    entry each, in the caller's transaction. The caller has checked the new owners. Returns
    how many changed."""
    rows = list(Opportunity.objects.select_for_update().filter(pk__in=list(plan)).order_by("pk"))
    groups: dict[int | None, list[int]] = {}
    entries = []
    for row in rows:
        owner = plan[row.pk]
        owner_id = owner.pk if owner is not None else None
        if owner_id == row.owner_id:
            continue
        groups.setdefault(owner_id, []).append(row.pk)
        row.version += 1  # the UPDATE below raises it too (an open form is stale)
        entries.append(
            PendingEntry(
                action=AuditAction.OPPORTUNITY_UPDATED,
                target=row,
                changes={"owner_id": [row.owner_id, owner_id]},
                note=note,
            )
        )
    now = timezone.now()
    for owner_id, ids in groups.items():
        Opportunity.objects.filter(pk__in=ids).update(
            owner_id=owner_id, updated_at=now, version=version_next()
        )
    audit_record_many(actor=actor, entries=entries, source=source)
    return len(entries)


@transaction.atomic
def opportunity_delete(*, actor: User, opportunity: Opportunity) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.OPPORTUNITY_DELETED,
        target=opportunity,
        changes=diff_fields(_snapshot(opportunity, OPPORTUNITY_FIELDS), {}),
    )
    opportunity.delete()


def _clean_lines(raw_lines: Any) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    lines: list[dict[str, Any]] = []
    if not isinstance(raw_lines, list):
        return [], {"lines": [_("Lines must be a list.")]}
    for index, raw in enumerate(raw_lines):
        if not isinstance(raw, dict):
            errors[f"lines[{index}]"] = [_("Each line must be an object.")]
            continue
        c = FieldCleaner(raw, prefix=f"lines[{index}].")
        c.field("product", max_length=200)
        if not c.values.get("product"):
            c.error("product", _("Name the product."))
        c.field("quantity", parse_amount, empty=Decimal("1"))
        c.field("unit_price", parse_amount, empty=None)
        c.field("amount", parse_amount, empty=None)
        quantity = c.values.get("quantity", Decimal("1"))
        price, amount = c.values.get("unit_price"), c.values.get("amount")
        if not quantity:
            c.error("quantity", _("The quantity must be more than 0."))
        elif price is None and amount is None and not c.errors:
            c.error("unit_price", _("Give the unit price or the line amount."))
        elif price is not None and amount is None:
            c.values["amount"] = (price * quantity).quantize(Decimal("0.01"))
        elif amount is not None and price is None:
            c.values["unit_price"] = (amount / quantity).quantize(Decimal("0.01"))
        elif (
            price is not None
            and amount is not None
            and abs(price * quantity - amount) > Decimal("0.01")
        ):
            c.error("amount", _("The amount is not quantity × unit price."))
        if quantity >= MAX_QUANTITY:
            c.error("quantity", _("The quantity is too large."))
        if c.values.get("amount") is not None and c.values["amount"] >= MAX_AMOUNT:
            c.error("amount", _("The line amount is too large."))
        c.values.setdefault("quantity", quantity)
        errors.update(c.errors)
        lines.append(c.values)
    return lines, errors


def order_clean(
    data: dict[str, Any], *, creating: bool
) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    c = FieldCleaner(data)
    c.field("order_no", max_length=32)
    c.field("signed_on", parse_date, empty=None)
    c.field("amount", parse_amount, empty=None)
    c.field("status", lambda t: parse_choice(t, ORDER_STATUS_ALIASES), empty=Order.Status.SIGNED)
    c.multiline("notes", max_length=10_000)
    lines = None
    line_errors: dict[str, list[str]] = {}
    if data.get("lines") is not None:
        lines, line_errors = _clean_lines(data["lines"])
    if lines and not line_errors:
        total = sum((line["amount"] for line in lines), Decimal("0"))
        if total >= MAX_AMOUNT:
            c.error(
                "amount",
                _("The lines add up to more than the largest amount (%(total)s).")
                % {"total": total},
            )
        elif c.values.get("amount") is None:
            c.values["amount"] = total
        elif abs(c.values["amount"] - total) > Decimal("0.01"):
            c.error(
                "amount",
                _("The amount does not equal the sum of the lines (%(total)s).") % {"total": total},
            )
    if creating:
        if c.values.get("signed_on") is None and "signed_on" not in c.errors:
            c.values["signed_on"] = timezone.localdate()
        if c.values.get("amount") is None and "amount" not in c.errors:
            c.error("amount", _("Give the order amount (or its lines)."))
    else:
        for key in ("signed_on", "amount"):
            if key in c.values and c.values[key] is None:
                c.error(key, _("This field cannot be blank."))
    c.raise_if_errors(line_errors)
    return c.values, lines


@transaction.atomic
def order_create(*, actor: User, customer: Customer, data: dict[str, Any]) -> Order:
    values, lines = order_clean(data, creating=True)
    assert_finance_editable(actor, "opportunities.order", {"amount"})
    if not values.get("order_no"):
        values["order_no"] = next_number("DD", today=values["signed_on"])
        while Order.objects.filter(order_no=values["order_no"]).exists():  # entered by hand
            values["order_no"] = next_number("DD", today=values["signed_on"])
    elif Order.objects.filter(order_no=values["order_no"]).exists():
        raise ValidationFailed(
            {
                "order_no": [
                    _("Order number %(number)s is already used.") % {"number": values["order_no"]}
                ]
            }
        )
    order = Order.objects.create(customer=customer, **values)
    for line in lines or []:
        OrderLine.objects.create(order=order, **line)
    audit_record(
        actor=actor,
        action=AuditAction.ORDER_CREATED,
        target=order,
        changes=diff_fields({}, _snapshot(order, ORDER_FIELDS)),
    )
    return order


@transaction.atomic
def order_update(*, actor: User, order: Order, data: dict[str, Any]) -> Order:
    """Change an order. `version` in data: the version the editor started from (another one is
    a VersionConflict, 409); without it the change is not checked (last write wins)."""
    data = dict(data)
    version_check(order, version_pop(data))
    if "order_no" in data and str(data["order_no"]).strip() != order.order_no:
        raise ValidationFailed({"order_no": [_("The order number cannot be changed.")]})
    values, lines = order_clean(data, creating=False)
    touched = {"lines"} if lines is not None else set()
    if "amount" in values and values["amount"] != order.amount:
        touched.add("amount")
    assert_finance_editable(actor, "opportunities.order", touched)
    if lines is None and "amount" in values and order.lines.exists():
        total = sum(order.lines.values_list("amount", flat=True), Decimal("0"))
        if abs(values["amount"] - total) > Decimal("0.01"):
            raise ValidationFailed(
                {
                    "amount": [
                        _("The amount does not equal the sum of the lines (%(total)s).")
                        % {"total": total}
                    ]
                }
            )
    before = _snapshot(order, ORDER_FIELDS)
    for key, value in values.items():
        setattr(order, key, value)
    if lines is not None:
        order.lines.all().delete()
        for line in lines:
            OrderLine.objects.create(order=order, **line)
        if "amount" not in data:
            order.amount = sum((line["amount"] for line in lines), Decimal("0"))
    order.save()
    changes = diff_fields(before, _snapshot(order, ORDER_FIELDS))
    if changes or lines is not None:
        audit_record(actor=actor, action=AuditAction.ORDER_UPDATED, target=order, changes=changes)
    return order


@transaction.atomic
def order_delete(*, actor: User, order: Order) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.ORDER_DELETED,
        target=order,
        changes=diff_fields(_snapshot(order, ORDER_FIELDS), {}),
    )
    order.delete()
