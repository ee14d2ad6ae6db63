"""Putting keyword rules' tags on customers: one customer (on save) or set-based (a run)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer

from ..models import CustomerTag, KeywordTagRule, TagChange
from ..services import tag_apply
from .keywords import Matcher
from .texts import scan_kinds, texts_iter

BATCH = 2_000
SAMPLES = 5
Progress = Callable[[int, str], None]


def rule_tag_one(rule: KeywordTagRule, customer: Customer, evidence: str) -> bool:
    """Apply the rule's tag to the customer (or refresh it); True when the tag is new."""
    applied = tag_apply(
        actor=None,
        customer=customer,
        name=rule.tag.name,
        applied_by=CustomerTag.Source.RULE,
        label=rule.name,
        evidence=evidence,
        source=AuditEntry.Source.RULE,
    )
    if applied.created:
        _history(rule, [customer.pk], {customer.pk: evidence}, applied.replaced, timezone.now())
    return applied.created


def _history(
    rule: KeywordTagRule,
    customer_ids: list[int],
    evidence: dict[int, str],
    replaced: list[str],
    now: datetime,
) -> None:
    TagChange.objects.bulk_create(
        [
            TagChange(
                customer_id=cid,
                kind=TagChange.Kind.REPLACED if replaced else TagChange.Kind.ADDED,
                source=CustomerTag.Source.RULE,
                rule_name=rule.name,
                keyword_rule=rule,
                from_tag=", ".join(replaced)[:50],
                to_tag=rule.tag.name,
                evidence=evidence.get(cid, ""),
                created_at=now,
            )
            for cid in customer_ids
        ],
        batch_size=BATCH,
    )


def rule_scan(rule: KeywordTagRule, *, progress: Progress | None = None) -> dict[int, str]:
    """Every customer one of the rule's texts matches, with the matching sentence. Set-based
    prefilter in SQL (the text contains a keyword); jieba only on the candidates."""
    matcher = Matcher.of(rule)
    found: dict[int, str] = {}
    read = 0
    for kind in scan_kinds(rule.texts or []):
        for customer_id, text in texts_iter(kind, matcher.keywords):
            read += 1
            if customer_id not in found:
                evidence = matcher.match(text or "")
                if evidence:
                    found[customer_id] = evidence
            if progress and read % 10_000 == 0:
                progress(read, kind)
    return found


def rule_preview(rule: KeywordTagRule) -> dict[str, Any]:
    """How many customers a run would tag: `matched` (their texts match), `new` (not tagged yet),
    and a few sample sentences."""
    found = rule_scan(rule)
    has = _has_tag(rule, list(found))
    return {
        "matched": len(found),
        "new": len(found) - len(has),
        "samples": list(found.values())[:SAMPLES],
    }


def _has_tag(rule: KeywordTagRule, customer_ids: list[int]) -> set[int]:
    has: set[int] = set()
    for start in range(0, len(customer_ids), BATCH):
        chunk = customer_ids[start : start + BATCH]
        has.update(
            CustomerTag.objects.filter(tag_id=rule.tag_id, customer_id__in=chunk).values_list(
                "customer_id", flat=True
            )
        )
    return has


def rule_run(rule: KeywordTagRule, *, progress: Progress | None = None) -> dict[str, Any]:
    """Apply the rule over every existing text, set-based: new links in bulk (a tag of an
    exclusive group replaces the customers' other tag of that group), existing ones refreshed
    (last_triggered_at, evidence); one history row per customer tagged."""
    found = rule_scan(rule, progress=progress)
    ids = list(found)
    has = _has_tag(rule, ids)
    new = [cid for cid in ids if cid not in has]
    now = timezone.now()
    tag = rule.tag
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            chunk_new = new[start : start + BATCH]  # len(new) <= len(ids): all covered
            _refresh(rule, [cid for cid in ids[start : start + BATCH] if cid in has], found, now)
            replaced: list[str] = []
            if tag.exclusive_group and chunk_new:
                others = CustomerTag.objects.filter(
                    customer_id__in=chunk_new, tag__exclusive_group=tag.exclusive_group
                ).exclude(tag=tag)
                replaced = sorted(set(others.values_list("tag__name", flat=True)))
                others.delete()
            CustomerTag.objects.bulk_create(
                [
                    CustomerTag(
                        customer_id=cid,
                        tag=tag,
                        source=CustomerTag.Source.RULE,
                        source_label=rule.name[:100],
                        evidence=found[cid],
                        last_triggered_at=now,
                    )
                    for cid in chunk_new
                ],
                batch_size=BATCH,
            )
            _history(rule, chunk_new, found, replaced, now)
        if progress:
            progress(min(start + BATCH, len(ids)), "apply")
    KeywordTagRule.objects.filter(pk=rule.pk).update(last_run_at=now, last_run_count=len(found))
    return {"matched": len(found), "new": len(new), "refreshed": len(has)}


def _refresh(rule: KeywordTagRule, ids: list[int], found: dict[int, str], now: datetime) -> None:
    links = list(CustomerTag.objects.filter(tag_id=rule.tag_id, customer_id__in=ids))
    for link in links:
        link.last_triggered_at, link.evidence = now, found[link.customer_id]
    CustomerTag.objects.bulk_update(links, ["last_triggered_at", "evidence"], batch_size=BATCH)
