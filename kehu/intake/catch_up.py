"""The bulk load's search catch-up with worker processes (services/bulk.py runs it).

The main process reads the rows of each batch of customers (customers_index_rows: plain values,
the personal fields decrypted) and writes their documents (customers_index_write, one
transaction a batch, in key order); the documents themselves, the pure-Python part (search
normalisation, pinyin, bigrams, blind terms), are built by the import's forked workers
(pipeline._Workers), one batch per worker in flight, and sent back as field values with their
search terms (customers_index_prepared: no model instance on either side). While the workers
build, the main process writes the batch before and reads the one after, so both cores are busy.

A batch read before the previous one was written may meet a record indexed meanwhile (a change
a person made during the catch-up indexes it): customers_index_write drops its document.
Without workers the catch-up is customers_index_fill, batch by batch, as before.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from kehu.core.search_index import Prepared
from kehu.customers.services import (
    customers_index_fill,
    customers_index_prepared,
    customers_index_rows,
    customers_index_write,
)

from .pipeline import _Workers, default_workers


def documents_packed(rows: tuple[list[Any], list[Any]]) -> list[Prepared]:
    """In a worker: the documents of a batch's rows, as (field values, search terms); the kind
    as a plain string (an enum member costs the main process a look-up a document to unpickle)."""
    return [((v[0], str(v[1]), *v[2:]), terms) for v, terms in customers_index_prepared(*rows)]


def catch_up_documents(
    ids: list[int],
    *,
    batch: int,
    on_batch: Callable[[int], None],
    workers: int | None = None,
) -> int:
    """Write the documents of these customers (and their contacts) not indexed yet, `batch`
    customers at a time in key order, calling on_batch(customers done) after each; returns how
    many documents were written. `workers`: default_workers(len(ids))."""
    total = len(ids)
    if workers is None:
        workers = default_workers(total)
    starts = iter(range(0, total, batch))
    written = 0
    if workers <= 0:
        for start in starts:
            written += customers_index_fill(ids[start : start + batch])
            on_batch(min(total, start + batch))
        return written

    def read(start: int) -> tuple[int, tuple[list[Any], list[Any]]]:
        return min(total, start + batch), customers_index_rows(ids[start : start + batch])

    pool = _Workers(workers, work=documents_packed)
    try:
        in_flight: deque[tuple[int, int]] = deque()
        for index in range(workers):
            first = next(starts, None)
            if first is None:
                break
            done, rows = read(first)
            pool.send(index, rows)
            in_flight.append((index, done))
        while in_flight:
            index, done = in_flight.popleft()
            packed = pool.receive(index)
            after = next(starts, None)
            if after is not None:  # the worker builds it while this batch is written
                following, rows = read(after)
                pool.send(index, rows)
                in_flight.append((index, following))
            written += customers_index_write(packed)
            on_batch(done)
    finally:
        pool.close()
    return written
