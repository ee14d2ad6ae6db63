"""A merge and its undo are edits too: forms opened before them are stale (version conflict)."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.core.errors import VersionConflict
from kehu.customers.models import Customer
from kehu.customers.services import customer_update
from kehu.dedupe.models import Merge
from kehu.dedupe.services import customer_merge, merge_undo

pytestmark = pytest.mark.django_db


def test_merge_and_undo_raise_the_versions(
    pair_of_customers: Any, steward: Any, admin_user: Any
) -> None:
    survivor, merged = pair_of_customers
    survivor_version = survivor.version
    merged_version = merged.version

    customer_merge(actor=steward, survivor=survivor, merged=merged, choices={"name": "merged"})
    survivor.refresh_from_db()
    assert survivor.version > survivor_version
    with pytest.raises(VersionConflict):
        customer_update(
            actor=admin_user,
            customer=survivor,
            data={"notes": "合并前打开的表单", "version": survivor_version},
        )

    merge_undo(actor=steward, merge=Merge.objects.get())
    restored = Customer.objects.get(pk=merged.pk)
    assert restored.version == merged_version + 1  # back, but not as the form saw it
    with pytest.raises(VersionConflict):
        customer_update(
            actor=admin_user,
            customer=restored,
            data={"notes": "合并前打开的表单", "version": merged_version},
        )
    assert Customer.objects.get(pk=merged.pk).notes == ""
