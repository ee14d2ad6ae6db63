"""Two editors saving the same record at the same moment over separate database connections:
one change is saved, the other is refused with a version conflict; never a silent lost update.

Runs on PostgreSQL and on a file SQLite database (KEHU_TEST_SQLITE_NAME=/tmp/kehu-test.sqlite3);
see test_numbering_concurrency.py for why in-memory SQLite is skipped."""

from __future__ import annotations

import pytest

from kehu.core.errors import VersionConflict
from kehu.customers.models import Customer
from kehu.customers.services import customer_update
from kehu.customers.tests.test_numbering_concurrency import (  # noqa: F401 - a fixture
    run_concurrently,
    separate_connections,
)
from kehu.opportunities.models import Opportunity
from kehu.opportunities.services import opportunity_create, opportunity_update

EDITORS = 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_customer_edits_from_one_version_save_exactly_one(
    separate_connections,  # noqa: F811
    rep,
    customer_factory,
):
    customer = customer_factory(name="并发编辑客户")

    def edit(index: int) -> list[str]:
        try:
            customer_update(
                actor=rep,
                customer=Customer.objects.get(pk=customer.pk),
                data={"notes": f"编辑者{index}", "version": 1},
            )
        except VersionConflict:
            return ["conflict"]
        return [f"编辑者{index}"]

    outcomes = run_concurrently(edit, EDITORS)
    saved = [o for o in outcomes if o != "conflict"]
    assert len(saved) == 1
    assert outcomes.count("conflict") == EDITORS - 1
    customer.refresh_from_db()
    assert customer.notes == saved[0]  # the one that was told "saved" is what is stored
    assert customer.version == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_unchecked_saves_of_one_read_never_lose_an_update(
    separate_connections,  # noqa: F811
    rep,
    customer_factory,
):
    """Editors that read the row, then save without sending a version (the opportunity's
    service locks nothing first): the UPDATE's `AND version = %s` refuses all but one."""
    customer = customer_factory()
    opportunity = opportunity_create(actor=rep, customer=customer, data={"title": "并发商机"})
    read = Opportunity.objects.get(pk=opportunity.pk)

    def edit(index: int) -> list[str]:
        mine = Opportunity.objects.select_related("customer").get(pk=read.pk)
        mine.version = read.version  # all read the same version
        try:
            opportunity_update(actor=rep, opportunity=mine, data={"title": f"商机{index}"})
        except VersionConflict:
            return ["conflict"]
        return [f"商机{index}"]

    outcomes = run_concurrently(edit, EDITORS)
    saved = [o for o in outcomes if o != "conflict"]
    assert len(saved) == 1
    stored = Opportunity.objects.get(pk=read.pk)
    assert stored.title == saved[0]
    assert stored.version == read.version + 1
