"""Freshness rules: a 待补全 record left incomplete, a customer gone quiet.

- 待补全 (incomplete) for more than KEHU_INCOMPLETE_BUSINESS_DAYS business days (the company's
  working days, minus its holidays, plus its extra working days: kehu.core.company, set on
  /settings/company/; KEHU_HOLIDAYS and KEHU_EXTRA_WORKDAYS until then) -> 信息待完善
  (needs_info), with a complete_info task for the owner.
- No interaction for KEHU_STALE_DAYS days (from the last interaction, else the first contact
  date, else the creation time) -> 待验证 (to_verify), with a verify task.
- Filling in the facts brings needs_info back to complete (customers.services); logging an
  interaction brings to_verify back (interactions.services, through customers.services).

Each change is audited with source "rule"; a task is created only if none of its kind is open,
so a nightly run never piles them up. Run by `kehu quality_rules` or the nightly task.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.models import AuditEntry
from kehu.core.company import company_settings
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_stale_q
from kehu.customers.services.quality import customer_set_quality
from kehu.customers.validators import FIELD_LABELS

from .models import FollowUp
from .selectors import followup_open_exists
from .services.followups import followup_close_open, followup_create

RULE = AuditEntry.Source.RULE
BATCH = 200
Quality = Customer.Quality


# --- Calendar


def is_business_day(day: date) -> bool:
    return company_settings().is_business_day(day)


def add_business_days(day: date, count: int) -> date:
    """The count-th business day after `day` (Friday + 3 = Wednesday)."""
    calendar = company_settings()
    if not calendar.working_days and not calendar.extra_workdays:
        raise ValueError("No working days")  # the settings refuse this; never loop for ever
    current = day
    while count > 0:
        current += timedelta(days=1)
        if calendar.is_business_day(current):
            count -= 1
    return current


def incomplete_cutoff(today: date) -> datetime:
    """Records incomplete since before this moment are past their window today.

    A record marked on day d has until the end of add_business_days(d, N); the latest such d
    whose deadline is already behind us is found by walking back from yesterday.
    """
    window = settings.KEHU_INCOMPLETE_BUSINESS_DAYS
    day = today - timedelta(days=1)
    while add_business_days(day, window) >= today:
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


stale_q = customer_stale_q


# --- Rules


def _batches(queryset: QuerySet[Customer]) -> Iterator[list[int]]:
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _set_quality(
    customer: Customer, quality: str, *, actor: User | None, note: str, source: str
) -> None:
    customer_set_quality(actor=actor, customer=customer, quality=quality, note=note, source=source)


def rule_incomplete_overdue(now: datetime) -> int:
    """待补全 past its window -> 信息待完善 + a complete_info task (if none is open)."""
    today = timezone.localtime(now).date()
    condition = Q(quality=Quality.INCOMPLETE, incomplete_since__lt=incomplete_cutoff(today))
    window = settings.KEHU_INCOMPLETE_BUSINESS_DAYS
    changed = 0
    for ids in _batches(Customer.objects.filter(condition)):
        with transaction.atomic():
            for customer in Customer.objects.select_for_update().filter(condition, pk__in=ids):
                _set_quality(
                    customer,
                    Quality.NEEDS_INFO,
                    actor=None,
                    note=f"Incomplete for more than {window} business days",
                    source=RULE,
                )
                if not followup_open_exists(
                    customer_id=customer.pk, kind=FollowUp.Kind.COMPLETE_INFO
                ):
                    followup_create(
                        actor=None,
                        customer=customer,
                        kind=FollowUp.Kind.COMPLETE_INFO,
                        title=(_("Complete the information: %(name)s") % {"name": customer.name})[
                            :200
                        ],
                        note="、".join(
                            str(FIELD_LABELS.get(f, f)) for f in customer.missing_fields
                        ),
                        due_date=add_business_days(today, window),
                        source=RULE,
                    )
                changed += 1
    return changed


def rule_stale(now: datetime) -> int:
    """No interaction for KEHU_STALE_DAYS -> 待验证 + a verify task (if none is open)."""
    today = timezone.localtime(now).date()
    condition = stale_q(now) & ~Q(quality=Quality.TO_VERIFY)
    changed = 0
    for ids in _batches(Customer.objects.filter(condition)):
        with transaction.atomic():
            for customer in Customer.objects.select_for_update().filter(condition, pk__in=ids):
                _set_quality(
                    customer,
                    Quality.TO_VERIFY,
                    actor=None,
                    note=f"No interaction for {settings.KEHU_STALE_DAYS} days",
                    source=RULE,
                )
                if not followup_open_exists(customer_id=customer.pk, kind=FollowUp.Kind.VERIFY):
                    followup_create(
                        actor=None,
                        customer=customer,
                        kind=FollowUp.Kind.VERIFY,
                        title=f"验证客户: {customer.name}"[:200],
                        due_date=add_business_days(today, settings.KEHU_INCOMPLETE_BUSINESS_DAYS),
                        source=RULE,
                    )
                changed += 1
    return changed


def rule_close_resolved() -> int:
    """Close complete_info tasks whose customer has nothing missing any more."""
    open_tasks = FollowUp.objects.filter(
        kind=FollowUp.Kind.COMPLETE_INFO,
        done_at__isnull=True,
        customer__incomplete_since__isnull=True,
    )
    closed = 0
    for customer_id in set(open_tasks.values_list("customer_id", flat=True)):
        with transaction.atomic():
            closed += followup_close_open(
                actor=None,
                customer_id=customer_id,
                kind=FollowUp.Kind.COMPLETE_INFO,
                note="The information is complete",
                source=RULE,
            )
    return closed


def incomplete_overdue_run(*, now: datetime | None = None) -> int:
    """The 待补全 deadline rule alone, its days counted in the company's time zone."""
    with timezone.override(ZoneInfo(company_settings().time_zone)):
        return rule_incomplete_overdue(now or timezone.now())


def quality_rules_run(*, now: datetime | None = None) -> dict[str, int]:
    """Run every freshness rule once, its days counted in the company's time zone; returns how
    many records each one changed."""
    now = now or timezone.now()
    with timezone.override(ZoneInfo(company_settings().time_zone)):
        return {
            "needs_info": rule_incomplete_overdue(now),
            "to_verify": rule_stale(now),
            "tasks_closed": rule_close_resolved(),
        }
