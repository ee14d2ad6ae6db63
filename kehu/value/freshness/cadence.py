"""Verification cadence by grade: a customer not verified within its cadence gets one "verify"
task for its owner (never a second open one).

Verified means what the freshness rules already count (kehu.interactions.freshness): an
interaction logged with the customer, or a verify task done. The cadence is the VIP tag's when
the customer has it, else its grade's (CustomerValue.grade), else the "no grade" row (0: never;
the stale rule's 待验证 covers those). Set-based: one query per cadence finds the customers."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.models import AuditEntry
from kehu.core.company import company_settings
from kehu.core.errors import ValidationFailed
from kehu.customers.models import Customer
from kehu.interactions.freshness import add_business_days
from kehu.interactions.models import FollowUp
from kehu.interactions.services.followups import followup_create
from kehu.tags.models import CustomerTag

from ..models import VerificationCadence

VIP_TAG = "VIP"
BATCH = 200
DEFAULT_DAYS = {"vip": 30, "A": 30, "B": 91, "C": 182, "none": 0}


def cadences() -> dict[str, int]:
    """{key: days}, the defaults for keys without a row."""
    stored = dict(VerificationCadence.objects.values_list("key", "days"))
    return {key: stored.get(key, days) for key, days in DEFAULT_DAYS.items()}


def _group_q(key: str) -> Q:
    vip = Exists(CustomerTag.objects.filter(customer=OuterRef("pk"), tag__name=VIP_TAG))
    if key == "vip":
        return Q(vip)
    if key == "none":
        return ~Q(vip) & (Q(value__isnull=True) | Q(value__grade=""))
    return ~Q(vip) & Q(value__grade=key)


def due_for_verification_q(key: str, days: int, now: datetime) -> Q:
    cutoff = now - timedelta(days=days)
    verify = FollowUp.objects.filter(customer=OuterRef("pk"), kind=FollowUp.Kind.VERIFY)
    return (
        _group_q(key)
        & Q(owner__isnull=False, created_at__lt=cutoff)
        & (Q(last_interaction_at__isnull=True) | Q(last_interaction_at__lt=cutoff))
        & ~Exists(verify.filter(done_at__isnull=True))
        & ~Exists(verify.filter(done_at__gte=cutoff))
    )


def cadence_run(*, now: datetime | None = None) -> int:
    """Create the verify tasks that are due; returns how many."""
    now = now or timezone.now()
    created = 0
    with timezone.override(ZoneInfo(company_settings().time_zone)):
        today = timezone.localdate(now)
        for key, days in cadences().items():
            if days <= 0:
                continue
            label = VerificationCadence.Key(key).label
            ids = list(
                Customer.objects.filter(due_for_verification_q(key, days, now))
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for start in range(0, len(ids), BATCH):
                with transaction.atomic():
                    for customer in Customer.objects.select_related("owner").filter(
                        pk__in=ids[start : start + BATCH]
                    ):
                        try:
                            followup_create(
                                actor=None,
                                customer=customer,
                                kind=FollowUp.Kind.VERIFY,
                                title=_("Verify the customer: %(name)s") % {"name": customer.name},
                                note=_("%(grade)s: verified every %(days)s days")
                                % {"grade": label, "days": days},
                                due_date=add_business_days(
                                    today, settings.KEHU_INCOMPLETE_BUSINESS_DAYS
                                ),
                                source=AuditEntry.Source.RULE,
                            )
                        except ValidationFailed:  # its owner may not work on it any more
                            continue
                        created += 1
    return created
