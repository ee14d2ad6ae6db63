"""Segments' one write path: create, change, delete (each audited), and the recurring
follow-up rule (services/followups.py)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import PermissionDenied, ValidationFailed
from kehu.core.text import clean_text

from ..models import Segment
from ..selectors import COMPANY_ROLES, segment_may_change
from ..validators import segment_query_clean, segment_query_readable
from .followups import FOLLOWUP_ROLES, segments_followup_run

__all__ = ["segment_create", "segment_delete", "segment_update", "segments_followup_run"]

FIELDS = (
    "name",
    "description",
    "visibility",
    "query",
    "followup_cadence",
    "followup_title",
    "followup_due_days",
)
MAX_DUE_DAYS = 90


def _state(segment: Segment) -> dict[str, Any]:
    """The fields as the audit trail keeps them: the filters as people type them."""
    state = {name: getattr(segment, name) for name in FIELDS}
    if "query" in state:
        state["query"] = segment_query_readable(state["query"])
    return state


def segment_clean(
    *, actor: User, data: dict[str, Any], segment: Segment | None = None
) -> dict[str, Any]:
    """The fields given in `data`, cleaned; ValidationFailed names every bad one."""
    errors: dict[str, list[str]] = {}
    current = _state(segment) if segment is not None else {}
    out: dict[str, Any] = {}
    if "name" in data or segment is None:
        name = clean_text(data.get("name"))
        if not name:
            errors["name"] = [_("Name the segment.")]
        elif len(name) > 80:
            errors["name"] = [_("A segment's name has at most 80 characters.")]
        out["name"] = name
    if "description" in data:
        description = str(data.get("description") or "").strip()
        if len(description) > 2000:
            errors["description"] = [_("At most 2000 characters.")]
        out["description"] = description
    if "visibility" in data or segment is None:
        visibility = str(data.get("visibility") or Segment.Visibility.PRIVATE).strip()
        if visibility not in Segment.Visibility.values:
            errors["visibility"] = [
                _("One of: %(values)s.") % {"values": ", ".join(Segment.Visibility.values)}
            ]
        elif visibility == Segment.Visibility.TEAM and not actor.team_id:
            errors["visibility"] = [
                _("You are in no team, so there is no one to share the segment with.")
            ]
        elif visibility == Segment.Visibility.COMPANY and actor.role not in COMPANY_ROLES:
            errors["visibility"] = [
                _(
                    "Only managers, executives, data stewards and administrators share with the whole company."
                )
            ]
        out["visibility"] = visibility
    if "query" in data or segment is None:
        try:
            out["query"] = segment_query_clean(str(data.get("query") or ""), actor=actor)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if "followup_cadence" in data:
        cadence = str(data.get("followup_cadence") or "").strip()
        if cadence and cadence not in Segment.Cadence.values:
            errors["followup_cadence"] = [
                _("One of: %(values)s.") % {"values": ", ".join(Segment.Cadence.values)}
            ]
        elif cadence and actor.role not in FOLLOWUP_ROLES:
            errors["followup_cadence"] = [
                _("Only those who may change customers set a follow-up rule.")
            ]
        out["followup_cadence"] = cadence
    if "followup_title" in data:
        title = clean_text(data.get("followup_title"))
        if len(title) > 200:
            errors["followup_title"] = [_("At most 200 characters.")]
        out["followup_title"] = title
    if "followup_due_days" in data and data.get("followup_due_days") is not None:
        days = data["followup_due_days"]
        if not isinstance(days, int) or isinstance(days, bool):
            days = str(days).strip()
            days = int(days) if days.isdecimal() and days.isascii() and len(days) < 4 else -1
        if not 0 <= days <= MAX_DUE_DAYS:
            errors["followup_due_days"] = [
                _("A number of days from 0 to %(max)s.") % {"max": MAX_DUE_DAYS}
            ]
        out["followup_due_days"] = days
    merged = {**current, **out}
    if merged.get("followup_cadence") and not merged.get("followup_title"):
        out["followup_title"] = _("Follow up: %(segment)s") % {"segment": merged.get("name", "")}
    if errors:
        raise ValidationFailed(errors)
    return out


def _save(actor: User, segment: Segment, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(segment, name, value)
    if "visibility" in fields:  # a team segment is shared with the owner's team
        segment.team_id = actor.team_id if segment.visibility == Segment.Visibility.TEAM else None
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError as exc:
        raise ValidationFailed({"name": [_("You have a segment of this name already.")]}) from exc


@transaction.atomic
def segment_create(*, actor: User, data: dict[str, Any]) -> Segment:
    """A segment of the actor's; anyone who may use the customer list may make one."""
    fields = segment_clean(actor=actor, data=data)
    segment = Segment(owner=actor)
    _save(actor, segment, fields)
    audit_record(
        actor=actor,
        action=AuditAction.SEGMENT_CREATED,
        target=segment,
        changes={k: [None, v] for k, v in _state(segment).items() if v not in ("", None)},
    )
    return segment


@transaction.atomic
def segment_update(*, actor: User, segment: Segment, data: dict[str, Any]) -> Segment:
    """Change what `data` gives; only the owner or an administrator."""
    if not segment_may_change(actor, segment):
        raise PermissionDenied(_("Only the person who made this segment may change it."))
    # An administrator changing someone's segment shares it as its owner would.
    owner = segment.owner if actor.role == Role.ADMIN and segment.owner_id != actor.pk else actor
    before = _state(segment)
    fields = segment_clean(actor=owner, data=data, segment=segment)
    _save(owner, segment, fields)
    after = _state(segment)
    changes = {k: [before[k], after[k]] for k in FIELDS if before[k] != after[k]}
    if changes:
        audit_record(
            actor=actor, action=AuditAction.SEGMENT_UPDATED, target=segment, changes=changes
        )
    return segment


@transaction.atomic
def segment_delete(*, actor: User, segment: Segment) -> None:
    """Its owner (or an administrator) deletes a segment; the tasks its rule made stay."""
    if not segment_may_change(actor, segment):
        raise PermissionDenied(_("Only the person who made this segment may delete it."))
    audit_record(
        actor=actor,
        action=AuditAction.SEGMENT_DELETED,
        target=segment,
        changes={k: [v, None] for k, v in _state(segment).items() if v not in ("", None)},
    )
    segment.delete()
