"""Undo a finished import, and purge kept files past their retention."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import PermissionDenied
from kehu.customers.models import Customer
from kehu.customers.services.bulk import customer_restore, customers_remove_imported

from ..models import ImportRun
from .common import MAKER_FIELDS, ImportStateError, Outcome
from .interactions import interactions_revert
from .maker_custom import maker_custom_restore

# --- Revert


@transaction.atomic
def import_revert(*, actor: User | None, run: ImportRun) -> dict[str, int]:
    """Undo a finished import: remove what it created, restore what it updated. Customers changed
    since the import finished are kept and counted."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status != ImportRun.Status.FINISHED:
        raise ImportStateError(_("Only a finished import can be reverted."))
    if actor is not None and actor.role != Role.ADMIN and run.created_by_id != actor.pk:
        raise PermissionDenied(
            _("Only whoever ran the import, or an administrator, may revert it.")
        )
    if run.kind == ImportRun.Kind.INTERACTIONS:
        result = interactions_revert(actor=actor, run=run)
        _reverted(actor, run, result)
        return result
    finished = run.finished_at or timezone.now()
    removed = restored = kept = 0
    created_ids = list(
        run.rows.filter(outcome=Outcome.CREATED, customer_id__isnull=False).values_list(
            "customer_id", flat=True
        )
    )
    for start in range(0, len(created_ids), 1000):
        chunk = created_ids[start : start + 1000]
        removable = list(
            Customer.objects.filter(pk__in=chunk, updated_at__lte=finished).values_list(
                "pk", flat=True
            )
        )
        kept += len(chunk) - len(removable)
        removed += customers_remove_imported(
            actor=actor, ids=removable, note=f"Import #{run.pk} reverted"
        )
    for row in run.rows.filter(outcome=Outcome.UPDATED).exclude(before=None).iterator():
        customer = Customer.objects.filter(pk=row.customer_id).first() if row.customer_id else None
        if customer is None:
            continue
        if customer.updated_at > finished:
            kept += 1
            continue
        before = row.before or {}
        maker, target = before.get("maker"), before.get("maker_target")
        customer_restore(
            actor=actor,
            customer=customer,
            fields=before.get("customer", {}),
            maker=_contact_values(maker) if maker else None,
            others=[_contact_values(target)] if target else [],
            maker_created=before.get("maker_created"),
            note=f"Import #{run.pk} reverted",
        )
        maker_custom_restore(actor=actor, before=before.get("maker_custom"))
        restored += 1
    result = {"removed": removed, "restored": restored, "kept": kept}
    _reverted(actor, run, result)
    return result


def _contact_values(before: dict[str, Any]) -> dict[str, Any]:
    """A contact's values as the import kept them: id, the maker fields, its decision role and
    primary flag (rows of older imports lack these two)."""
    keys = ("id", *MAKER_FIELDS, "decision_role", "is_primary")
    return {key: before[key] for key in keys if key in before}


def _reverted(actor: User | None, run: ImportRun, result: dict[str, int]) -> None:
    run.status = ImportRun.Status.REVERTED
    run.reverted_at = timezone.now()
    run.save(update_fields=["status", "reverted_at"])
    audit_record(actor=actor, action=AuditAction.IMPORT_REVERTED, target=run, changes=result)


# --- Retention


def import_purge_files(*, now: Any = None, days: int | None = None) -> int:
    """Delete uploaded files older than KEHU_IMPORT_RETENTION_DAYS (or `days`: a retention
    policy's, kehu.privacy); the runs and reports stay."""
    days = settings.KEHU_IMPORT_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    purged = 0
    for run in ImportRun.objects.filter(created_at__lt=cutoff, file_purged_at=None).exclude(
        status=ImportRun.Status.RUNNING
    ):
        if run.file_path:
            shutil.rmtree(Path(run.file_path).parent, ignore_errors=True)
        run.file_path = ""
        run.file_purged_at = timezone.now()
        run.save(update_fields=["file_path", "file_purged_at"])
        purged += 1
    if purged:
        with transaction.atomic():
            audit_record(
                actor=None, action=AuditAction.IMPORT_FILES_PURGED, changes={"files": purged}
            )
    return purged
