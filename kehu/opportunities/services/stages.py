"""Stage changes: the stage history, the lost reason a lost opportunity needs, the won amount
(issue 16). Called by the opportunity services in the same transaction."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.validators import parse_amount

from ..models import LostReason, Opportunity, OpportunityStageChange

# What a stage change may carry besides the stage (API and forms): {field: parser}.
STAGE_EXTRAS = ("won_amount", "create_order", "lost_reason")
LOST = Opportunity.Stage.LOST
WON = Opportunity.Stage.WON


def _truthy(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    return str(raw or "").strip().lower() in ("1", "true", "yes", "on")


def lost_reason_lookup(raw: Any) -> LostReason | None:
    """An active lost reason by its name or id; None when there is none such."""
    if isinstance(raw, LostReason):
        return raw if raw.is_active else None
    text = str(raw or "").strip()
    if not text:
        return None
    reasons = LostReason.objects.filter(is_active=True)
    if text.isdecimal() and text.isascii() and int(text) < 2**63:
        found = reasons.filter(pk=int(text)).first()
        if found is not None:
            return found
    return reasons.filter(name=text).first()


def stage_extras_clean(
    extras: dict[str, Any], *, stage: str, errors: dict[str, list[str]], creating: bool = False
) -> dict[str, Any]:
    """The won amount / create order / lost reason sent with a move to `stage`, checked:
    a move to Lost needs an active reason (`creating`: an opportunity recorded as lost already,
    say by an import, may come without one); the others fit only their stage."""
    values: dict[str, Any] = {}
    if stage == LOST:
        reason = lost_reason_lookup(extras.get("lost_reason"))
        if reason is None and (not creating or str(extras.get("lost_reason") or "").strip()):
            message = (
                _("Choose why the opportunity was lost.")
                if not str(extras.get("lost_reason") or "").strip()
                else _("Unknown lost reason '%(value)s'.") % {"value": extras["lost_reason"]}
            )
            errors["lost_reason"] = [message]
        values["lost_reason"] = reason
    elif str(extras.get("lost_reason") or "").strip():
        errors["lost_reason"] = [_("A lost reason goes only with the stage Lost.")]
    if stage == WON:
        raw = extras.get("won_amount")
        if raw is not None and raw != "":
            try:
                values["won_amount"] = parse_amount(raw)
            except Exception as exc:  # ValidationError
                errors["won_amount"] = list(getattr(exc, "messages", [str(exc)]))
        values["create_order"] = _truthy(extras.get("create_order"))
    else:
        for key in ("won_amount", "create_order"):
            if extras.get(key) not in (None, "", False):
                errors[key] = [_("This goes only with the stage Won.")]
    return values


def stage_record(
    *,
    actor: User | None,
    opportunity: Opportunity,
    from_stage: str,
    now: datetime | None = None,
    note: str = "",
) -> OpportunityStageChange:
    """Write the history row of the move from `from_stage` to the opportunity's stage (creation:
    from ""), stamp when it entered it, and (a real move) audit "opportunity.stage_changed"."""
    now = now or timezone.now()
    entered = opportunity.stage_changed_at or opportunity.created_at
    days = None
    if from_stage and entered is not None:
        days = max((now - entered).days, 0)
    change = OpportunityStageChange.objects.create(
        opportunity=opportunity,
        from_stage=from_stage,
        to_stage=opportunity.stage,
        changed_by=actor,
        changed_at=now,
        days_in_previous_stage=days,
    )
    Opportunity.objects.filter(pk=opportunity.pk).update(stage_changed_at=now)
    opportunity.stage_changed_at = now
    if from_stage:
        audit_record(
            actor=actor,
            action=AuditAction.OPPORTUNITY_STAGE_CHANGED,
            target=opportunity,
            changes={"stage": [from_stage, opportunity.stage]},
            note=note,
        )
    return change


def won_amount_of(opportunity: Opportunity, values: dict[str, Any]) -> Decimal | None:
    amount = values.get("won_amount")
    return amount if amount is not None else opportunity.expected_amount
