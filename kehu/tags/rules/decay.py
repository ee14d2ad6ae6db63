"""Decay and transition rules, set-based (one query selects every customer a rule changes).

- expiry: the tag was not re-triggered (last_triggered_at, else added_at) for `days` days:
  removed, or replaced by `replace_with`. A tag exactly `days` old is due.
- streak: the customer's last `streak` interactions (by time) all have an outcome in `outcomes`
  (and there are at least that many): the tag is replaced by `replace_with` (or removed).
Every change is a TagChange row naming the rule (the customer's and the rule's history) and each
rule's run is one audit entry with its count. A dry run only counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from kehu.audit.actions import AuditAction
from kehu.audit.models import AuditEntry
from kehu.audit.services import audit_record
from kehu.interactions.models import Interaction

from ..models import CustomerTag, TagChange, TagDecayRule

BATCH = 5_000


def decay_candidates(rule: TagDecayRule, *, now: datetime | None = None) -> QuerySet:
    """The CustomerTag links this rule changes now."""
    now = now or timezone.now()
    links = CustomerTag.objects.filter(tag_id=rule.tag_id)
    if rule.kind == TagDecayRule.Kind.EXPIRY:
        if not rule.days:
            return links.none()
        return links.annotate(since=Coalesce("last_triggered_at", "added_at")).filter(
            since__lte=now - timedelta(days=rule.days)
        )
    if rule.kind == TagDecayRule.Kind.STREAK:
        if not rule.streak or not rule.outcomes:
            return links.none()
        own = Interaction.objects.filter(customer_id=OuterRef("customer_id"))
        # The streak-th latest interaction; none when the customer has fewer.
        kth = own.order_by("-occurred_at", "-id").values("occurred_at")[
            rule.streak - 1 : rule.streak
        ]
        links = links.annotate(kth=Subquery(kth)).filter(kth__isnull=False)
        broken = Interaction.objects.filter(
            customer_id=OuterRef("customer_id"), occurred_at__gte=OuterRef("kth")
        ).exclude(feedback__in=list(rule.outcomes))
        return links.filter(~Exists(broken))
    return links.none()


def decay_preview(rule: TagDecayRule, *, now: datetime | None = None) -> int:
    return decay_candidates(rule, now=now).count()


def decay_run(rule: TagDecayRule, *, now: datetime | None = None, dry_run: bool = False) -> int:
    """Apply the rule to every customer it selects; returns how many it changed."""
    now = now or timezone.now()
    pairs = list(decay_candidates(rule, now=now).values_list("pk", "customer_id"))
    if dry_run:
        return len(pairs)
    old, new = rule.tag, rule.replace_with
    for start in range(0, len(pairs), BATCH):
        chunk = pairs[start : start + BATCH]
        customer_ids = [cid for _pk, cid in chunk]
        with transaction.atomic():
            CustomerTag.objects.filter(pk__in=[pk for pk, _cid in chunk]).delete()
            if new is not None:
                if new.exclusive_group:  # the group's other tags give way to the new one
                    CustomerTag.objects.filter(
                        customer_id__in=customer_ids, tag__exclusive_group=new.exclusive_group
                    ).exclude(tag=new).delete()
                has = set(
                    CustomerTag.objects.filter(tag=new, customer_id__in=customer_ids).values_list(
                        "customer_id", flat=True
                    )
                )
                CustomerTag.objects.bulk_create(
                    [
                        CustomerTag(
                            customer_id=cid,
                            tag=new,
                            source=CustomerTag.Source.DECAY,
                            source_label=rule.name[:100],
                            last_triggered_at=now,
                        )
                        for cid in customer_ids
                        if cid not in has
                    ]
                )
            TagChange.objects.bulk_create(
                [
                    TagChange(
                        customer_id=cid,
                        kind=TagChange.Kind.REPLACED if new else TagChange.Kind.REMOVED,
                        source=CustomerTag.Source.DECAY,
                        rule_name=rule.name,
                        decay_rule=rule,
                        from_tag=old.name,
                        to_tag=new.name if new else "",
                        created_at=now,
                    )
                    for cid in customer_ids
                ]
            )
    with transaction.atomic():
        TagDecayRule.objects.filter(pk=rule.pk).update(last_run_at=now, last_run_count=len(pairs))
        if pairs:
            audit_record(
                actor=None,
                action=AuditAction.TAG_DECAY_RUN,
                target=rule,
                changes={
                    "customers": len(pairs),
                    "from": old.name,
                    "to": new.name if new else None,
                },
                source=AuditEntry.Source.SYSTEM,
            )
    return len(pairs)


def decay_run_all(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Every active rule, in name order; {rule name: customers changed (or that would be)}."""
    rules = TagDecayRule.objects.filter(is_active=True).select_related("tag", "replace_with")
    return {rule.name: decay_run(rule, now=now, dry_run=dry_run) for rule in rules}
