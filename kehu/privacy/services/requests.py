"""The register of data-subject requests: each with its statutory deadline (issue 19)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import ValidationFailed, one_of
from kehu.core.validators import normalize_phone

from ..models import SubjectRequest
from ..selectors import assert_privacy_role


def request_due(received_at: datetime) -> datetime:
    """The deadline: KEHU_PRIVACY_REQUEST_DAYS days (PIPL: 15 working days; GDPR: 30 days)."""
    return received_at + timedelta(days=settings.KEHU_PRIVACY_REQUEST_DAYS)


def _identifiers(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, str]:
    values = {key: str(data.get(key) or "").strip() for key in ("phone", "email", "name")}
    if values["phone"]:
        try:
            values["phone"] = normalize_phone(values["phone"])
        except Exception as exc:  # noqa: BLE001 - django's ValidationError carries the message
            errors["phone"] = [str(getattr(exc, "messages", [exc])[0])]
    if values["email"] and "@" not in values["email"]:
        errors["email"] = [_("Enter a valid e-mail address.")]
    if len(values["name"]) > 100:
        errors["name"] = [_("At most 100 characters.")]
    if not any(values.values()):
        errors["phone"] = [_("Give the person's phone, e-mail or name.")]
    return values


@transaction.atomic
def subject_request_create(*, actor: User, data: dict[str, Any]) -> SubjectRequest:
    """Register a request: kind, the person's phone / e-mail / name, when it came in."""
    assert_privacy_role(actor)
    errors: dict[str, list[str]] = {}
    kind = data.get("kind")
    if kind not in SubjectRequest.Kind.values:
        errors["kind"] = [one_of(SubjectRequest.Kind.values)]
    values = _identifiers(data, errors)
    received_at = data.get("received_at") or timezone.now()
    if isinstance(received_at, datetime) and received_at > timezone.now():
        errors["received_at"] = [_("A request cannot come in the future.")]
    if errors:
        raise ValidationFailed(errors)
    request = SubjectRequest.objects.create(
        kind=str(kind),
        note=str(data.get("note") or "").strip(),
        received_at=received_at,
        due_at=request_due(received_at),
        created_by=actor,
        **values,
    )
    audit_record(
        actor=actor,
        action=AuditAction.PRIVACY_REQUEST_CREATED,
        target=request,
        changes={"kind": request.kind, "due_at": request.due_at},
    )
    return request


@transaction.atomic
def subject_request_update(
    *, actor: User, request: SubjectRequest, data: dict[str, Any]
) -> SubjectRequest:
    """Change the status (open, done, rejected) or the note."""
    assert_privacy_role(actor)
    request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    changes: dict[str, list[Any]] = {}
    status = data.get("status")
    if status is not None:
        if status not in SubjectRequest.Status.values:
            raise ValidationFailed({"status": [one_of(SubjectRequest.Status.values)]})
        if status != request.status:
            changes["status"] = [request.status, status]
            request.status = status
            request.completed_at = None if status == SubjectRequest.Status.OPEN else timezone.now()
            request.handled_by = actor
    if data.get("note") is not None:
        note = str(data["note"]).strip()
        if note != request.note:
            changes["note"] = ["", ""]  # the note may name the person: not in the log
            request.note = note
    if changes:
        request.save()
        audit_record(
            actor=actor,
            action=AuditAction.PRIVACY_REQUEST_UPDATED,
            target=request,
            changes={k: v for k, v in changes.items() if k != "note"},
            note="note changed" if "note" in changes else "",
        )
    return request
