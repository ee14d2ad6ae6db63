"""The one write path for duplicates: check, store scan results, decide, merge, undo, rules."""

from __future__ import annotations

from typing import Any

from django.core import serializers
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from kehu.accounts.models import Role
from kehu.accounts.policy import scope_for
from kehu.audit.services import audit_record
from kehu.core.errors import DomainError, PermissionDenied, ValidationFailed
from kehu.customers.matching.weights import FIELDS as MATCH_FIELDS
from kehu.customers.models import Customer, DuplicateAction, MatchRule

from .models import DuplicatePair, Merge
from .scan import CandidatePair, scan_customers

STEWARD_ROLES = (Role.STEWARD, Role.ADMIN)

# Fields a steward picks between when merging (the rest stays with the survivor).
MERGE_FIELDS = (
    "name", "kind", "credit_code", "industry_id", "sub_industry_id", "size", "province", "city",
    "district", "address", "phone", "email", "source_id", "first_contact_date", "status",
    "owner_id", "team_id", "budget_band", "budget_amount", "notes",
)  # fmt: skip


def require_steward(actor: Any) -> None:
    if getattr(actor, "role", None) not in STEWARD_ROLES:
        raise PermissionDenied("Only a data steward or an administrator may do this.")


def _ordered(a: Customer, b: Customer) -> tuple[Customer, Customer]:
    return (a, b) if a.pk < b.pk else (b, a)


# --- Scan results.


@transaction.atomic
def pairs_store(*, pairs: list[CandidatePair], source: str = DuplicatePair.Source.SCAN) -> int:
    """Insert new candidate pairs, refresh open ones; decided pairs are never proposed again."""
    existing = {
        (a, b): (pk, status)
        for pk, a, b, status in DuplicatePair.objects.values_list(
            "pk", "customer_a_id", "customer_b_id", "status"
        )
    }
    valid = set(Customer.objects.values_list("pk", flat=True))
    new, changed = [], []
    for pair in pairs:
        if pair.id_a not in valid or pair.id_b not in valid:
            continue
        known = existing.get((pair.id_a, pair.id_b))
        if known is None:
            new.append(
                DuplicatePair(
                    customer_a_id=pair.id_a,
                    customer_b_id=pair.id_b,
                    score=pair.score,
                    weight=pair.weight,
                    explanation=pair.explanation(),
                    source=source,
                )
            )
        elif known[1] == DuplicatePair.Status.OPEN:
            changed.append(
                DuplicatePair(
                    pk=known[0],
                    score=pair.score,
                    weight=pair.weight,
                    explanation=pair.explanation(),
                )
            )
    DuplicatePair.objects.bulk_create(new, batch_size=2000)
    DuplicatePair.objects.bulk_update(changed, ["score", "weight", "explanation"], batch_size=2000)
    return len(new)


def dedupe_scan_run(*, progress: Any = None) -> dict[str, Any]:
    """Scan the whole database and store the pairs (the background task calls this)."""
    pairs = scan_customers(progress=progress)
    decided = set(
        DuplicatePair.objects.exclude(status=DuplicatePair.Status.OPEN).values_list(
            "customer_a_id", "customer_b_id"
        )
    )
    pairs = [p for p in pairs if (p.id_a, p.id_b) not in decided]
    created = pairs_store(pairs=pairs)
    return {"pairs": len(pairs), "new": created}


def scan_pairs_undecided(pairs: list[CandidatePair]) -> list[CandidatePair]:
    """Leave out pairs a steward has already decided (not a duplicate, merged)."""
    decided = set(
        DuplicatePair.objects.exclude(status=DuplicatePair.Status.OPEN).values_list(
            "customer_a_id", "customer_b_id"
        )
    )
    return [p for p in pairs if (p.id_a, p.id_b) not in decided]


# --- Decisions.


@transaction.atomic
def pair_mark_not_duplicate(*, actor: Any, pair: DuplicatePair, note: str = "") -> DuplicatePair:
    """Remember that these two are different companies; the pair is never proposed again."""
    require_steward(actor)
    pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    pair.status = DuplicatePair.Status.NOT_DUPLICATE
    pair.decided_by = actor
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="dedupe.not_duplicate",
        target=pair.customer_a,
        changes={"other": pair.customer_b.customer_no},
        note=note,
    )
    return pair


@transaction.atomic
def pair_mark_for(*, actor: Any, customer_a: Customer, customer_b: Customer) -> DuplicatePair:
    """The pair row of two customers (created if the check or scan has not found it yet)."""
    a, b = _ordered(customer_a, customer_b)
    pair, _created = DuplicatePair.objects.get_or_create(
        customer_a=a, customer_b=b, defaults={"score": 0.0, "source": DuplicatePair.Source.CHECK}
    )
    return pair


# --- Merge and undo.


def merge_defaults(survivor: Customer, merged: Customer) -> dict[str, str]:
    """Per field, which record's value to keep: the most recently updated non-empty one."""
    newer, older = (
        ("merged", "survivor")
        if merged.updated_at > survivor.updated_at
        else ("survivor", "merged")
    )
    records = {"survivor": survivor, "merged": merged}
    choice = {}
    for name in MERGE_FIELDS:
        value = getattr(records[newer], name)
        choice[name] = newer if value not in (None, "") else older
    return choice


def _child_relations() -> list[Any]:
    """Every one-to-many relation pointing at a customer (contacts, interactions, orders, …)."""
    return [
        rel
        for rel in Customer._meta.related_objects
        if rel.one_to_many and rel.related_model not in (Merge, DuplicatePair)
    ]


@transaction.atomic
def customer_merge(
    *,
    actor: Any,
    survivor: Customer,
    merged: Customer,
    choices: dict[str, str] | None = None,
) -> Merge:
    """Fold `merged` into `survivor`: picked fields, every child row; one audited transaction."""
    require_steward(actor)
    if survivor.pk == merged.pk:
        raise ValidationFailed({"merged": ["A customer cannot be merged into itself."]})
    for customer in (survivor, merged):
        if not scope_for(actor, Customer.objects.filter(pk=customer.pk), for_write=True).exists():
            raise PermissionDenied("You may not change this customer.")
    survivor = Customer.objects.select_for_update().get(pk=survivor.pk)
    merged = Customer.objects.select_for_update().get(pk=merged.pk)
    picks = merge_defaults(survivor, merged)
    unknown = set(choices or {}) - set(MERGE_FIELDS)
    if unknown:
        raise ValidationFailed(
            {f"fields.{n}": ["Not a field that can be merged."] for n in unknown}
        )
    for name, side in (choices or {}).items():
        if side not in ("survivor", "merged"):
            raise ValidationFailed({f"fields.{name}": ["Choose 'survivor' or 'merged'."]})
        picks[name] = side
    snapshot = serializers.serialize("python", [merged])[0]
    before = {name: getattr(survivor, name) for name in MERGE_FIELDS}
    changed: dict[str, Any] = {}
    for name, side in picks.items():
        if side == "merged":
            value = getattr(merged, name)
            if value != before[name]:
                setattr(survivor, name, value)
                changed[name] = [before[name], value]
    moved: dict[str, dict[str, list[Any]]] = {}
    dropped: list[dict[str, Any]] = []
    for rel in _child_relations():
        model = rel.related_model
        field_name = rel.field.name
        ids = list(
            model._default_manager.filter(**{field_name: merged}).values_list("pk", flat=True)
        )
        if not ids:
            continue
        try:
            with transaction.atomic():
                model._default_manager.filter(pk__in=ids).update(**{field_name: survivor})
            kept = ids
        except IntegrityError:
            # A row the survivor already has (e.g. the same tag): keep the survivor's, and
            # keep a copy of the merged one so undo can bring it back.
            kept = []
            for row in model._default_manager.filter(pk__in=ids):
                try:
                    with transaction.atomic():
                        model._default_manager.filter(pk=row.pk).update(**{field_name: survivor})
                    kept.append(row.pk)
                except IntegrityError:
                    dropped.append(serializers.serialize("python", [row])[0])
                    row.delete()
        if kept:
            moved.setdefault(model._meta.label_lower, {})[field_name] = kept
    if "name" in changed:
        from kehu.customers.validators import normalize_company_name

        survivor.name_normalized = normalize_company_name(survivor.name)
    survivor.save()
    merge = Merge.objects.create(
        survivor=survivor,
        merged_customer_id=merged.pk,
        merged_customer_no=merged.customer_no,
        merged_snapshot=_json_ready(snapshot),
        survivor_before=_json_ready(before),
        moved=moved,
        performed_by=actor if getattr(actor, "pk", None) else None,
    )
    merged_no = merged.customer_no
    other_pairs = list(
        DuplicatePair.objects.filter(
            models.Q(customer_a=merged) | models.Q(customer_b=merged)
        ).values()
    )
    merge.merged_snapshot["pairs"] = _json_ready(other_pairs)
    merge.merged_snapshot["dropped"] = _json_ready(dropped)
    merge.save(update_fields=["merged_snapshot"])
    Customer.objects.filter(pk=merged.pk).delete()
    audit_record(
        actor=actor,
        action="customer.merged",
        target=survivor,
        changes={**{k: v for k, v in changed.items()}, "merged": [merged_no, None]},
        note=f"{merged_no} merged into {survivor.customer_no}",
    )
    return merge


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()  # full microseconds, so undo restores the exact value
    return str(value)


def _json_ready(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, default=_json_default))


@transaction.atomic
def merge_undo(*, actor: Any, merge: Merge) -> Customer:
    """Bring the merged customer back with its rows, and the survivor's fields as they were."""
    require_steward(actor)
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise DomainError("This merge has already been undone.")
    if Customer.objects.filter(pk=merge.merged_customer_id).exists():
        raise DomainError("The merged customer exists again; nothing to undo.")
    snapshot = dict(merge.merged_snapshot)
    pairs = snapshot.pop("pairs", [])
    dropped = snapshot.pop("dropped", [])
    restored = next(serializers.deserialize("python", [snapshot]))
    restored.save()
    stamps = {
        k: snapshot["fields"][k] for k in ("created_at", "updated_at") if k in snapshot["fields"]
    }
    Customer.objects.filter(pk=merge.merged_customer_id).update(
        **{k: Customer._meta.get_field(k).to_python(v) for k, v in stamps.items()}
    )
    customer = Customer.objects.get(pk=merge.merged_customer_id)
    survivor = Customer.objects.select_for_update().get(pk=merge.survivor_id)
    for name, value in merge.survivor_before.items():
        field_obj = Customer._meta.get_field(name.removesuffix("_id"))
        setattr(survivor, field_obj.attname, field_obj.to_python(value))
    from kehu.customers.validators import normalize_company_name

    survivor.name_normalized = normalize_company_name(survivor.name)
    survivor.save()
    from django.apps import apps

    for label, by_field in merge.moved.items():
        model = apps.get_model(label)
        for field_name, ids in by_field.items():
            model._default_manager.filter(pk__in=ids).update(**{field_name: customer})
    for obj in serializers.deserialize("python", dropped):
        obj.save()
    for row in pairs:
        row.pop("id", None)
        DuplicatePair.objects.get_or_create(
            customer_a_id=row.pop("customer_a_id"),
            customer_b_id=row.pop("customer_b_id"),
            defaults={
                k: v
                for k, v in row.items()
                if k in {"score", "weight", "explanation", "source", "status"}
            },  # fmt: skip
        )
    merge.undone_at = timezone.now()
    merge.undone_by = actor if getattr(actor, "pk", None) else None
    merge.save(update_fields=["undone_at", "undone_by"])
    audit_record(
        actor=actor,
        action="customer.merge_undone",
        target=customer,
        note=f"{customer.customer_no} restored from {survivor.customer_no}",
    )
    return customer


# --- Rules and actions (administrators).


def _require_admin(actor: Any) -> None:
    if getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDenied("Only an administrator may change duplicate rules.")


@transaction.atomic
def match_rule_save(
    *, actor: Any, data: dict[str, Any], rule: MatchRule | None = None
) -> MatchRule:
    _require_admin(actor)
    known = {f.name for f in MATCH_FIELDS}
    errors: dict[str, list[str]] = {}
    rule = rule or MatchRule()
    if "name" in data:
        rule.name = str(data["name"]).strip()[:100]
    if not rule.name:
        errors["name"] = ["Give the rule a name."]
    if "description" in data:
        rule.description = str(data["description"] or "")
    if "min_score" in data:
        try:
            rule.min_score = float(data["min_score"])
        except (TypeError, ValueError):
            errors["min_score"] = ["A number between 0 and 1."]
        else:
            if not 0 <= rule.min_score <= 1:
                errors["min_score"] = ["A number between 0 and 1."]
    if "required_fields" in data:
        fields = list(data["required_fields"] or [])
        bad = [f for f in fields if f not in known]
        if bad:
            errors["required_fields"] = [f"Unknown field(s): {', '.join(bad)}."]
        rule.required_fields = fields
    if "is_active" in data:
        rule.is_active = bool(data["is_active"])
    if errors:
        raise ValidationFailed(errors)
    creating = rule.pk is None
    rule.save()
    audit_record(
        actor=actor,
        action="dedupe.rule_created" if creating else "dedupe.rule_changed",
        target=rule,
    )
    return rule


@transaction.atomic
def duplicate_action_set(*, actor: Any, context: str, action: str) -> DuplicateAction:
    _require_admin(actor)
    if context not in DuplicateAction.Context.values:
        raise ValidationFailed(
            {"context": [f"One of {', '.join(DuplicateAction.Context.values)}."]}
        )
    if action not in DuplicateAction.Action.values:
        raise ValidationFailed({"action": [f"One of {', '.join(DuplicateAction.Action.values)}."]})
    row, _created = DuplicateAction.objects.update_or_create(
        context=context, defaults={"action": action}
    )
    audit_record(actor=actor, action="dedupe.action_set", target=row, note=f"{context}={action}")
    return row


def duplicate_item_apply(item: Any) -> None:
    """A duplicate the on-save check queued, confirmed by the steward: its pairs join the
    steward's list of pairs to merge (kehu.review approves it; registered in apps.py)."""
    customer = Customer.objects.filter(pk=item.payload.get("customer_id")).first()
    if customer is None:
        return
    for other in Customer.objects.filter(pk__in=item.payload.get("matches") or []):
        a, b = _ordered(customer, other)
        DuplicatePair.objects.get_or_create(
            customer_a=a,
            customer_b=b,
            defaults={"score": 1.0, "source": DuplicatePair.Source.CHECK},
        )
