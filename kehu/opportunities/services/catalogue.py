"""What administrators keep for the pipeline (issue 16): lost reasons, stage probabilities,
the product catalogue. Each change is audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record, diff_fields
from kehu.core.cleaning import FieldCleaner
from kehu.core.errors import PermissionDenied, ValidationFailed
from kehu.core.validators import parse_amount

from ..forecast import stage_percentages
from ..models import LostReason, Opportunity, Product, StageProbability

MAX_AMOUNT = Decimal("1e12")


def _admin_only(actor: User | None) -> None:
    if actor is not None and getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator may change the pipeline's settings."))


def _flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on", "是"):
        return True
    if text in ("0", "false", "no", "off", "", "否"):
        return False
    raise ValueError(text)


def _clean_flag(c: FieldCleaner, data: dict[str, Any], key: str) -> None:
    if key in data:
        try:
            c.values[key] = _flag(data[key])
        except ValueError:
            c.error(key, _("Give true or false."))


@transaction.atomic
def lost_reason_save(
    *, actor: User | None, data: dict[str, Any], reason: LostReason | None = None
) -> LostReason:
    """Add a lost reason (reason None) or change one (name, position, is_active)."""
    _admin_only(actor)
    c = FieldCleaner(data)
    c.field("name", max_length=100)
    if (reason is None or "name" in data) and not c.values.get("name") and "name" not in c.errors:
        c.values.pop("name", None)
        c.error("name", _("Give the reason a name."))
    name = c.values.get("name")
    clash = LostReason.objects.filter(name=name)
    if reason is not None:
        clash = clash.exclude(pk=reason.pk)
    if name and clash.exists():
        c.error("name", _("This reason is in the list already."))
    if "position" in data:
        try:
            c.values["position"] = max(int(str(data["position"])), 0)
        except ValueError:
            c.error("position", _("Give a whole number."))
    _clean_flag(c, data, "is_active")
    c.raise_if_errors()
    fields = ("name", "position", "is_active")
    before = {} if reason is None else {f: getattr(reason, f) for f in fields}
    if reason is None:
        c.values.setdefault("position", LostReason.objects.count() + 1)
        reason = LostReason(**c.values)
    for key, value in c.values.items():
        setattr(reason, key, value)
    reason.save()
    changes = diff_fields(before, {f: getattr(reason, f) for f in fields})
    if changes:
        audit_record(
            actor=actor, action=AuditAction.LOST_REASON_SAVED, target=reason, changes=changes
        )
    return reason


@transaction.atomic
def stage_probabilities_set(*, actor: User | None, data: dict[str, Any]) -> dict[str, int]:
    """Set the probability (0-100) of the stages named in `data` ({stage: percent})."""
    _admin_only(actor)
    errors: dict[str, list[str]] = {}
    values: dict[str, int] = {}
    for stage, raw in data.items():
        if stage not in Opportunity.Stage.values:
            errors[stage] = [_("Unknown stage.")]
            continue
        try:
            percent = int(str(raw).strip().rstrip("%"))
        except ValueError:
            percent = -1
        if not 0 <= percent <= 100:
            errors[stage] = [_("Give a percentage from 0 to 100.")]
            continue
        values[stage] = percent
    if errors:
        raise ValidationFailed(errors)
    before = stage_percentages()
    for stage, percent in values.items():
        StageProbability.objects.update_or_create(stage=stage, defaults={"probability": percent})
    after = stage_percentages()
    changes = diff_fields(before, after)
    if changes:
        audit_record(actor=actor, action=AuditAction.STAGE_PROBABILITY_CHANGED, changes=changes)
    return after


PRODUCT_FIELDS = ("name", "code", "unit_price", "is_active")


@transaction.atomic
def product_save(
    *, actor: User | None, data: dict[str, Any], product: Product | None = None
) -> Product:
    """Add a product to the catalogue (product None) or change one."""
    _admin_only(actor)
    creating = product is None
    c = FieldCleaner(data)
    c.field("name", max_length=200)
    c.field("code", max_length=50)
    c.field("unit_price", parse_amount, empty=None)
    for key, message in (
        ("name", _("Give the product a name.")),
        ("code", _("Give the product a code.")),
        ("unit_price", _("Give the unit price.")),
    ):
        if (creating or key in data) and c.values.get(key) in (None, "") and key not in c.errors:
            c.values.pop(key, None)
            c.error(key, message)
    if c.values.get("unit_price") is not None and c.values["unit_price"] >= MAX_AMOUNT:
        c.error("unit_price", _("The unit price is too large."))
    code = c.values.get("code")
    clash = Product.objects.filter(code=code)
    if product is not None:
        clash = clash.exclude(pk=product.pk)
    if code and clash.exists():
        c.error("code", _("Code %(code)s is already used.") % {"code": code})
    _clean_flag(c, data, "is_active")
    c.raise_if_errors()
    before = {} if product is None else {f: getattr(product, f) for f in PRODUCT_FIELDS}
    product = product or Product()
    for key, value in c.values.items():
        setattr(product, key, value)
    product.save()
    changes = diff_fields(before, {f: getattr(product, f) for f in PRODUCT_FIELDS})
    if changes:
        audit_record(actor=actor, action=AuditAction.PRODUCT_SAVED, target=product, changes=changes)
    return product
