"""What an undo needs of a Merge row, in one shape, whether the merge was recorded by the merge
through the apps' services (survivor_changes set) or by the older one (kehu/dedupe/models.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from kehu.customers.models import Customer

from .models import Merge

# Labels older merges used for models that have moved to another app since.
RENAMED = {"customers.contact": "contacts.contact"}


@dataclass
class MergeRecord:
    merged: dict[str, Any]  # {column: value} of the merged customer
    changes: dict[str, list[Any]]  # {column: [before, after]} on the survivor
    moved: dict[str, list[int]]  # {label: ids} given to the survivor
    contacts: dict[str, Any] = field(default_factory=dict)  # moved, primary, folded
    dropped: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def merge_record(merge: Merge, survivor: Customer) -> MergeRecord:
    if merge.survivor_changes is not None:
        return MergeRecord(
            merged=dict(merge.merged_snapshot),
            changes=dict(merge.survivor_changes),
            moved={k: list(v) for k, v in merge.moved.items()},
            contacts=dict(merge.contacts or {}),
            dropped=dict(merge.dropped or {}),
        )
    return _legacy_record(merge, survivor)


def _legacy_record(merge: Merge, survivor: Customer) -> MergeRecord:
    """An older merge: the survivor's fields go back as they were whatever happened since (as
    its undo did then); rows it moved come back; contacts were never folded."""
    snapshot = dict(merge.merged_snapshot)
    fields = snapshot.get("fields", {})
    merged = {
        f.attname: fields[f.name]
        for f in Customer._meta.concrete_fields
        if f.name in fields and f.attname != "id"
    }
    merged["id"] = snapshot.get("pk", merge.merged_customer_id)
    changes = {
        name: [value, _json(getattr(survivor, name))]
        for name, value in merge.survivor_before.items()
    }
    moved: dict[str, list[int]] = {}
    for label, by_field in merge.moved.items():
        ids = by_field if isinstance(by_field, list) else [i for v in by_field.values() for i in v]
        moved[RENAMED.get(label, label)] = list(ids)
    dropped: dict[str, list[dict[str, Any]]] = {"dedupe.duplicatepair": snapshot.get("pairs", [])}
    for row in snapshot.get("dropped", []):
        label = RENAMED.get(row.get("model", ""), row.get("model", ""))
        values = {f"{k}_id" if isinstance(v, int) and k != "id" else k: v
                  for k, v in row.get("fields", {}).items()}  # fmt: skip
        dropped.setdefault(label, []).append({"id": row.get("pk"), **values})
    contacts = {"moved": moved.get("contacts.contact", []), "primary": [], "folded": []}
    return MergeRecord(
        merged=merged, changes=changes, moved=moved, contacts=contacts, dropped=dropped
    )
