"""Retention policies (issue 19): data kept only as long as a policy says, run nightly.

A run finds what the policy matches (lost customers N days after the loss, leads that never
converted N days after they came in, uploaded import files, read-log entries), and either only
reports it (a dry run: the preview) or anonymises / deletes it with the erasure's own anonymiser.
Every run, dry or not, leaves a RetentionRun row (the report) and an audit entry.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.models import ReadEntry
from kehu.audit.services import audit_reads_purge, audit_record
from kehu.core.errors import ValidationFailed, one_of
from kehu.customers.models import Customer, CustomerStatusChange
from kehu.intake.models import ImportRun
from kehu.intake.services import import_purge_files

from ..models import Erasure, RetentionPolicy, RetentionRun
from ..selectors import assert_privacy_role
from .person import customers_anonymise_for_policy

REPORT_SAMPLE = 50  # customer numbers a report lists (the count is always whole)
MAX_DAYS = 36_500


def _cutoff(policy: RetentionPolicy, now: datetime) -> datetime:
    return now - timedelta(days=policy.days)


def _not_erased(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    erased = Erasure.objects.filter(kind=Erasure.Kind.CUSTOMER).values("object_id")
    return customers.exclude(pk__in=erased)


def policy_customers(policy: RetentionPolicy, now: datetime) -> QuerySet[Customer]:
    """The customers a customer policy matches now (not erased already)."""
    cutoff = _cutoff(policy, now)
    if policy.kind == RetentionPolicy.Kind.LOST_CUSTOMERS:
        lost_at = (
            CustomerStatusChange.objects.filter(customer=OuterRef("pk"), to_status="lost")
            .values("customer")
            .annotate(at=Max("changed_at"))
            .values("at")
        )
        customers: QuerySet[Customer] = (
            Customer.objects.filter(status=Customer.Status.LOST)
            .annotate(lost_at=Subquery(lost_at))
            .filter(lost_at__lt=cutoff)
        )
    else:  # stale leads: still a lead, came in before the cutoff
        customers = Customer.objects.filter(status=Customer.Status.LEAD, created_at__lt=cutoff)
    return _not_erased(customers).order_by("pk")


def _preview(policy: RetentionPolicy, now: datetime) -> dict[str, Any]:
    if policy.kind in (RetentionPolicy.Kind.LOST_CUSTOMERS, RetentionPolicy.Kind.STALE_LEADS):
        customers = policy_customers(policy, now)
        return {
            "matched": customers.count(),
            "sample": list(customers.values_list("customer_no", flat=True)[:REPORT_SAMPLE]),
        }
    cutoff = _cutoff(policy, now)
    if policy.kind == RetentionPolicy.Kind.IMPORT_FILES:
        runs = ImportRun.objects.filter(created_at__lt=cutoff, file_purged_at=None).exclude(
            status=ImportRun.Status.RUNNING
        )
        return {"matched": runs.count(), "sample": list(runs.values_list("pk", flat=True)[:50])}
    reads = ReadEntry.objects.filter(created_at__lt=cutoff)
    return {"matched": reads.count(), "sample": []}


def retention_run(
    *,
    policy: RetentionPolicy,
    dry_run: bool,
    actor: User | None = None,
    now: datetime | None = None,
) -> RetentionRun:
    """Run one policy (or preview it with `dry_run`): one RetentionRun row with the report."""
    if actor is not None:
        assert_privacy_role(actor)
    now = now or timezone.now()
    preview = _preview(policy, now)
    processed = 0
    report: dict[str, Any] = {"cutoff": _cutoff(policy, now).isoformat(), **preview}
    if not dry_run:
        if policy.kind in (RetentionPolicy.Kind.LOST_CUSTOMERS, RetentionPolicy.Kind.STALE_LEADS):
            customers = list(policy_customers(policy, now))
            report["anonymised"] = customers_anonymise_for_policy(
                policy=policy, customers=customers
            )
            processed = len(customers)
        elif policy.kind == RetentionPolicy.Kind.IMPORT_FILES:
            processed = import_purge_files(now=now, days=policy.days)
        else:
            result = audit_reads_purge(now=now, retention_days=policy.days)
            processed = result["purged"]
            report["sealed"] = result["sealed"]
    with transaction.atomic():
        run = RetentionRun.objects.create(
            policy=policy,
            is_dry_run=dry_run,
            started_at=now,
            matched=preview["matched"],
            processed=processed,
            report=report,
            actor=actor,
        )
        if not dry_run:
            RetentionPolicy.objects.filter(pk=policy.pk).update(last_run_at=now)
        audit_record(
            actor=actor,
            action=AuditAction.RETENTION_RUN,
            target=policy,
            changes={
                "dry_run": dry_run,
                "matched": preview["matched"],
                "processed": processed,
            },
        )
    return run


def retention_run_enabled(*, now: datetime | None = None) -> list[RetentionRun]:
    """The nightly run: every enabled policy, for real."""
    return [
        retention_run(policy=policy, dry_run=False, now=now)
        for policy in RetentionPolicy.objects.filter(is_enabled=True).order_by("pk")
    ]


@transaction.atomic
def retention_policy_save(
    *, actor: User, data: dict[str, Any], policy: RetentionPolicy | None = None
) -> RetentionPolicy:
    """Create or change a policy: name, kind, days, enabled."""
    assert_privacy_role(actor)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    current = policy or RetentionPolicy()
    name = str(data.get("name", current.name) or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("Give a name of at most 100 characters.")]
    values["name"] = name
    kind = data.get("kind", current.kind)
    if kind not in RetentionPolicy.Kind.values:
        errors["kind"] = [one_of(RetentionPolicy.Kind.values)]
    values["kind"] = kind
    days = data.get("days", current.days)
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = -1
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = [_("Give a whole number of days from 1 to %(max)s.") % {"max": MAX_DAYS}]
    values["days"] = days
    values["is_enabled"] = bool(data.get("is_enabled", current.is_enabled))
    if errors:
        raise ValidationFailed(errors)
    before = {k: getattr(current, k) for k in values} if policy else {}
    for key, value in values.items():
        setattr(current, key, value)
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.RETENTION_POLICY_SAVED,
        target=current,
        changes={k: [before.get(k), v] for k, v in values.items() if before.get(k) != v},
    )
    return current
