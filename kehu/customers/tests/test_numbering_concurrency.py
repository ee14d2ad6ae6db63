"""Customers created at the same time over separate database connections never share a number."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.utils import timezone

from kehu.core.numbering import next_in_sequence
from kehu.customers.models import Customer
from kehu.customers.services import customer_create

THREADS = 4
PER_THREAD = 5


@pytest.fixture
def separate_connections(transactional_db: None) -> None:
    """Threads need a database they can share with real locking.

    PostgreSQL and a file SQLite database (KEHU_TEST_SQLITE_NAME=/tmp/kehu-test.sqlite3) lock
    properly. Django's default in-memory test database is shared between threads through
    SQLite's shared cache, which answers 'database table is locked' at once instead of waiting
    on the busy timeout, so there is nothing to prove there.
    """
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite cannot host concurrent connections; use a file database")


def run_concurrently(work: Callable[[int], list[str]], threads: int) -> list[str]:
    """Start `threads` threads at once (each has its own Django connection); gather results."""
    barrier = threading.Barrier(threads)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            produced = work(index)
            with lock:
                results.extend(produced)
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=target, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not any(worker.is_alive() for worker in workers), "a worker hung"
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creates_never_share_a_customer_number(separate_connections, rep):
    def create_some(index: int) -> list[str]:
        numbers = []
        for n in range(PER_THREAD):
            customer = customer_create(
                actor=rep,
                data={"name": f"并发客户 {index}-{n}", "mobile": f"139{index:04d}{n:04d}"},
            )
            numbers.append(customer.customer_no)
        return numbers

    numbers = run_concurrently(create_some, THREADS)
    total = THREADS * PER_THREAD
    assert len(numbers) == total
    assert len(set(numbers)) == total
    prefix = f"CX{timezone.localdate():%Y%m}"
    assert all(re.fullmatch(rf"{prefix}\d{{4}}", no) for no in numbers)
    # No gaps either: every transaction that took a number committed it.
    assert sorted(numbers) == [f"{prefix}{i:04d}" for i in range(1, total + 1)]
    assert Customer.objects.count() == total


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_sequence_reservations_do_not_overlap(separate_connections):
    def reserve(index: int) -> list[str]:
        taken = []
        for _ in range(10):
            with transaction.atomic():
                taken.append(str(next_in_sequence("TEST-RACE")))
        return taken

    numbers = run_concurrently(reserve, 8)
    assert sorted(int(n) for n in numbers) == list(range(1, 81))
