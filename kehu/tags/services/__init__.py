"""Applying and removing tags: atomic and audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.customers.models import Customer

from ..models import CustomerTag, Tag
from .library import tag_from_library, tag_name_clean


def _tag_name(raw: Any) -> str:
    return tag_name_clean(raw, "tag")


class TagApplied:
    """What tag_apply did: truthy when the tag is new on the customer; `replaced` names the tags
    of the same exclusive group it took off (高价值 replaces 中价值)."""

    def __init__(self, *, created: bool, tag: Tag, replaced: list[str]) -> None:
        self.created, self.tag, self.replaced = created, tag, replaced

    def __bool__(self) -> bool:
        return self.created


@transaction.atomic
def tag_apply(
    *,
    actor: User | None,
    customer: Customer,
    name: str,
    source: str | None = None,
    applied_by: str = CustomerTag.Source.USER,
    label: str = "",
    note: str = "",
    evidence: str = "",
    field: str = "tag",
) -> TagApplied:
    """Put the tag on the customer. `applied_by` (a CustomerTag.Source) and `label` (the rule's or
    import's name) record what applied it, `evidence` the sentence a rule matched; `source` is the
    audit entry's source. A tag of an exclusive group replaces the customer's other tag of that
    group. Applied again, the link is kept and its last_triggered_at (and evidence) refreshed.
    Only an active library tag can be applied: anything else is a ValidationFailed naming
    `field` ("“xyz” 不在标签库中，可以申请新标签")."""
    tag = tag_from_library(name, field=field)
    now = timezone.now()
    link = CustomerTag.objects.filter(customer=customer, tag=tag).first()
    if link is not None:
        link.last_triggered_at = now
        fields = ["last_triggered_at"]
        if evidence:
            link.evidence, fields = evidence, [*fields, "evidence"]
        link.save(update_fields=fields)
        return TagApplied(created=False, tag=tag, replaced=[])
    replaced: list[str] = []
    if tag.exclusive_group:
        others = CustomerTag.objects.filter(
            customer=customer, tag__exclusive_group=tag.exclusive_group
        ).select_related("tag")
        for other in others:
            replaced.append(other.tag.name)
            other.delete()
            audit_record(
                actor=actor,
                action=AuditAction.CUSTOMER_UNTAGGED,
                target=customer,
                changes={"tags": [other.tag.name, None]},
                source=source,
            )
    CustomerTag.objects.create(
        customer=customer,
        tag=tag,
        added_by=actor,
        source=applied_by,
        source_label=label[:100],
        note=note[:300],
        evidence=evidence,
        last_triggered_at=now,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CUSTOMER_TAGGED,
        target=customer,
        changes={"tags": [None, tag.name]},
        source=source,
    )
    return TagApplied(created=True, tag=tag, replaced=replaced)


@transaction.atomic
def tag_remove(*, actor: User, customer: Customer, name: str) -> bool:
    """Take the tag off the customer; False when it was not there."""
    deleted, _ = CustomerTag.objects.filter(customer=customer, tag__name=_tag_name(name)).delete()
    if deleted:
        audit_record(
            actor=actor,
            action=AuditAction.CUSTOMER_UNTAGGED,
            target=customer,
            changes={"tags": [name, None]},
        )
    return bool(deleted)


# --- Merges: tags given to another customer (kehu.dedupe's merge and its undo)


@transaction.atomic
def customer_tags_move(
    *, actor: User, ids: Iterable[int], customer: Customer
) -> tuple[list[int], list[dict[str, Any]]]:
    """Give these tag links to `customer`. A tag the customer has already is not put on twice,
    and a tag of an exclusive group the customer has a tag of does not join it (the survivor's
    高价值 wins over the merged one's 低价值): that link is removed and returned (id, tag, who added it, when) for an undo to restore.
    Returns (moved ids, removed links); each tag the customer gains is a "customer.tagged" entry."""
    links = list(
        CustomerTag.objects.filter(pk__in=list(ids))
        .exclude(customer=customer)
        .select_related("tag")
        .order_by("pk")
    )
    own = CustomerTag.objects.filter(customer=customer).values_list(
        "tag_id", "tag__exclusive_group"
    )
    has = {tag_id for tag_id, _group in own}
    groups = {group for _tag_id, group in own if group}
    moved, removed = [], []
    for link in links:
        group = link.tag.exclusive_group
        if link.tag_id in has or (group and group in groups):
            removed.append(
                {
                    "id": link.pk,
                    "customer_id": link.customer_id,
                    "tag_id": link.tag_id,
                    "added_by_id": link.added_by_id,
                    "added_at": link.added_at.isoformat(),
                }
            )
        else:
            has.add(link.tag_id)
            if group:
                groups.add(group)
            moved.append(link)
    if removed:
        CustomerTag.objects.filter(pk__in=[r["id"] for r in removed]).delete()
    if moved:
        CustomerTag.objects.filter(pk__in=[link.pk for link in moved]).update(customer=customer)
        audit_record(
            actor=actor,
            action=AuditAction.CUSTOMER_TAGGED,
            target=customer,
            changes={"tags": [None, ", ".join(link.tag.name for link in moved)]},
        )
    return [link.pk for link in moved], removed


@transaction.atomic
def customer_tags_restore(*, actor: User, rows: Iterable[dict[str, Any]]) -> int:
    """Put back links customer_tags_move removed (an undone merge), as they were."""
    restored = 0
    for row in rows:
        if CustomerTag.objects.filter(pk=row["id"]).exists():
            continue
        if not Customer.objects.filter(pk=row["customer_id"]).exists():
            continue
        link = CustomerTag(
            pk=row["id"],
            customer_id=row["customer_id"],
            tag_id=row["tag_id"],
            added_by_id=row.get("added_by_id"),
        )
        link.save(force_insert=True)
        CustomerTag.objects.filter(pk=link.pk).update(
            added_at=datetime.fromisoformat(row["added_at"])
        )
        restored += 1
        audit_record(
            actor=actor,
            action=AuditAction.CUSTOMER_TAGGED,
            target=Customer.objects.get(pk=row["customer_id"]),
            changes={"tags": [None, Tag.objects.get(pk=row["tag_id"]).name]},
        )
    return restored


def tag_changes_move(*, actor: User, ids: list[int], customer: Customer) -> list[int]:
    """Give these tag-history rows to another customer (a merge, or its undo): the history
    follows the tags it explains. No audit entry of its own: the merge's entry names them."""
    from ..models import TagChange

    moved = list(
        TagChange.objects.filter(pk__in=ids).exclude(customer=customer).values_list("pk", flat=True)
    )
    TagChange.objects.filter(pk__in=moved).update(customer=customer)
    return moved
