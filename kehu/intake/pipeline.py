"""Clean and build the rows of an import, in this process or in a pool of worker processes.

A batch is cleaned (clean_row with the import's CleanMemo), and each valid row is built into its
unsaved Customer and decision maker with their completeness (the work that needs no database).
With workers, batches go to fork()ed worker processes and come back in file order, one batch per
worker in flight, so memory stays flat whatever the file's size. The main process keeps the
database work: duplicate look-ups, writes, search indexing, one transaction per batch.

The workers never touch the database: the dictionaries were loaded before the fork. What a
worker sends back is plain values, not model instances: pickling a Django model out and in costs
more than building it (about 0.3 ms a row on this machine, more than the cleaning it saves). A
valid row comes back as its customer's, decision maker's and search documents' field values (and
the documents' search terms), which the main process turns back into unsaved instances
(writes.unsaved); its cleaned values are not sent, and the main process cleans the row again
(clean_row, same context) only when it matches a customer and so needs them (see complete()).
"""

from __future__ import annotations

import ctypes
import faulthandler
import gc
import logging
import multiprocessing
import os
import pickle
import signal
import tempfile
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from django.db import models

from kehu.accounts.models import User
from kehu.core.models import SearchDocument
from kehu.core.search_index import (
    contact_document,
    customer_document,
    search_prepare,
    search_prepared,
)
from kehu.customers.models import Contact, Customer
from kehu.customers.services import customer_refresh_quality

from .rows import CleanMemo, CleanRow, Dictionaries, build_customer, clean_row
from .writes import field_values, unsaved

Built = dict[int, tuple[Customer, "Contact | None"]]
# Search documents of a batch's valid rows, built before their keys and numbers exist:
# {row number: (customer's document, decision maker's document or None)}.
Documents = dict[int, tuple[SearchDocument, "SearchDocument | None"]]
PENDING_NO = "CX\ue000pending\ue000"  # stands for the customer number until it is known
POOL_MIN_ROWS = 20_000  # below this, starting workers costs more than it saves


def default_workers(total_rows: int) -> int:
    """KEHU_IMPORT_WORKERS, else 2 (at most the CPUs) for a large file, else none."""
    setting = os.environ.get("KEHU_IMPORT_WORKERS", "")
    if setting.strip():
        return max(0, int(setting))
    if total_rows < POOL_MIN_ROWS:
        return 0
    return min(2, os.cpu_count() or 1) if (os.cpu_count() or 1) > 1 else 0


@dataclass
class Context:
    mapping: dict[str, str]
    dictionaries: Dictionaries
    actor: User | None
    external_source: str
    created_by: Any
    memo: CleanMemo
    documents: bool = True  # build the search documents (not on the bulk path: built after)


def quality_unsaved(customer: Customer, maker: Contact | None) -> None:
    """customer_refresh_quality on a customer not saved yet, whose only contact is `maker`."""
    contacts = Contact.objects.all()
    contacts._result_cache = [maker] if maker is not None else []
    contacts._prefetch_done = True  # type: ignore[attr-defined]
    customer._prefetched_objects_cache = {"contacts": contacts}  # type: ignore[attr-defined]
    customer.pk = -1  # the related manager wants a key; nothing is read or written
    try:
        customer_refresh_quality(customer, save=False)
    finally:
        customer.pk = None
        del customer._prefetched_objects_cache  # type: ignore[attr-defined]


def pending_documents(built: Built) -> Documents:
    """The search documents of unsaved customers, with PENDING_NO for the number (see keyed)."""
    documents: Documents = {}
    for number, (customer, maker) in built.items():
        customer.customer_no = PENDING_NO
        document = customer_document(customer)
        if PENDING_NO.lower() not in document.codes:
            return {}  # search_index builds the number into documents otherwise: build later
        documents[number] = (
            document,
            contact_document(maker, customer=customer) if maker is not None else None,
        )
        customer.customer_no = ""
    return documents


def keyed(
    documents: tuple[SearchDocument, SearchDocument | None], customer: Customer, maker: Any
) -> list[SearchDocument]:
    """A customer's pending documents, given its key and number (what customer_document and
    contact_document return for the saved customer; test_fast_clean.py checks it)."""
    document, maker_document = documents
    pending, number = PENDING_NO.lower(), customer.customer_no.lower()
    document.object_id = document.customer_id = customer.pk
    document.subtitle = customer.customer_no
    document.codes = document.codes.replace(pending, number)
    document.text = document.text.replace(pending, number)
    if maker_document is None:
        return [document]
    maker_document.object_id, maker_document.customer_id = maker.pk, customer.pk
    return [document, maker_document]


def prepare(chunk: list[tuple[int, dict[str, str]]], ctx: Context) -> tuple[list[CleanRow], Built]:
    rows = [
        clean_row(
            number,
            raw,
            ctx.mapping,
            ctx.dictionaries,
            actor=ctx.actor,
            external_source=ctx.external_source,
            memo=ctx.memo,
        )
        for number, raw in chunk
    ]
    built: Built = {}
    for row in rows:
        if row.is_valid:
            customer, maker = build_customer(row, created_by=ctx.created_by)
            quality_unsaved(customer, maker)
            built[row.number] = (customer, maker)
    return rows, built


# --- The pool


_CONTEXT: Context | None = None  # set before the fork; the workers inherit it
# What a worker sends for a row: (row number, external id, errors or None, None) for an invalid
# row; (number, external id, None, (customer, decision maker, customer's document, decision
# maker's document, and the two documents' search terms (search_prepare)) for a valid one, each
# as its field values (or None).
Packed = tuple[int, str, "dict[str, list[str]] | None", "tuple[Any, ...] | None"]
Chunk = list[tuple[int, dict[str, str]]]
PR_SET_PDEATHSIG = 1  # linux/prctl.h
logger = logging.getLogger(__name__)


class WorkerDied(RuntimeError):
    """An import worker process ended while it had a batch (killed, out of memory)."""


class WorkerFailed(RuntimeError):
    """The traceback, in the worker, of an error raised while cleaning a batch."""


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this process when its parent dies, even by kill -9."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # elsewhere a worker ends when its parent's end of the pipe closes
    if os.getppid() != parent:
        os._exit(1)  # the parent died before prctl took effect


def _worker_start(
    parent: int, mask: set[signal.Signals], inherited: list[Connection], crash_log: Any
) -> None:
    """First thing in a worker, while the signals the parent handles are still blocked (they
    were blocked across the fork): the parent's handlers are not the worker's. The task
    worker's graceful shutdown in a child kept it alive after SIGTERM, and Pool.terminate()
    then waited for it for ever. A worker ends on SIGTERM (the default), ignores SIGINT (Ctrl+C
    reaches the whole process group: the parent decides), and dies with its parent. A crash
    (SIGSEGV in a C extension) writes its Python stack to `crash_log`, which the parent reads."""
    faulthandler.enable(file=crash_log, all_threads=True)
    for number in signal.valid_signals():
        if callable(signal.getsignal(number)):
            signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)
    for connection in inherited:  # the other workers' pipes: their ends must close with them
        connection.close()
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _serve(
    batches: Connection,
    results: Connection,
    parent: int,
    mask: set[signal.Signals],
    inherited: list[Connection],
    work: Callable[[Any], Any],
    crash_log: Any,
) -> None:
    """A worker: clean each batch that comes (`work`: _work, or the catch-up's
    catch_up.documents_packed), send its rows back; leave when the pipe closes."""
    _worker_start(parent, mask, inherited, crash_log)
    while True:
        try:
            chunk = batches.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("rows", work(chunk))
        except Exception as exc:
            text = traceback.format_exc()
            try:
                pickle.dumps(exc)
            except Exception:
                exc = RuntimeError(f"{type(exc).__name__}: {exc}")
            answer = ("error", (exc, text))
        results.send(answer)


class _Workers:
    """`count` forked processes, each with its own two pipes: a batch goes out on one, its rows
    come back on the other, one batch per worker at a time. Nothing is shared between them (no
    queue, no lock, no thread), unlike multiprocessing.Pool: there, a worker killed while it
    waited for work kept the queue's lock and terminate() waited for it for ever, and a task whose
    worker died never returned. Here a dead worker is the end of its pipe (WorkerDied), and
    close() always ends them."""

    def __init__(self, count: int, work: Callable[[Any], Any] | None = None) -> None:
        context = multiprocessing.get_context("fork")
        self.processes: list[Any] = []
        self.outboxes: list[Connection] = []
        self.inboxes: list[Connection] = []
        self.crash_logs: list[Any] = []
        handled = {n for n in signal.valid_signals() if callable(signal.getsignal(n))}
        handled |= {signal.SIGINT, signal.SIGTERM, signal.SIGQUIT}
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, handled)  # until each worker resets them
        # The parent's objects stay out of the workers' garbage collection: a cycle holding a C
        # extension's object (a DuckDB connection: its threads are not in the child) must not be
        # finalized in a worker. Collected here first, then frozen across the fork (gc docs).
        gc.collect()
        gc.freeze()
        try:
            for _ in range(count):
                batch_reader, batch_writer = context.Pipe(duplex=False)
                result_reader, result_writer = context.Pipe(duplex=False)
                inherited = [*self.outboxes, *self.inboxes]
                crash_log = tempfile.TemporaryFile()  # closed in close()
                self.crash_logs.append(crash_log)
                process = context.Process(
                    target=_serve,
                    args=(
                        batch_reader,
                        result_writer,
                        os.getpid(),
                        mask,
                        inherited,
                        work or _work,
                        crash_log,
                    ),
                    name="kehu-import-worker",
                    daemon=True,
                )
                process.start()
                batch_reader.close()  # the worker's ends: when it dies, its pipes end here
                result_writer.close()
                self.processes.append(process)
                self.outboxes.append(batch_writer)
                self.inboxes.append(result_reader)
        except BaseException:
            self.close()
            raise
        finally:
            gc.unfreeze()
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def _died(self, index: int) -> WorkerDied:
        process = self.processes[index]
        process.join(1)
        crash_log = self.crash_logs[index]
        crash_log.seek(0)
        stack = crash_log.read(20_000).decode("utf-8", "replace").strip()
        if stack:
            logger.error("Import worker process %s crashed:\n%s", process.pid, stack)
        return WorkerDied(
            f"Import worker process {process.pid} stopped (exit code {process.exitcode})."
        )

    def send(self, index: int, chunk: Any) -> None:
        try:
            self.outboxes[index].send(chunk)
        except OSError as exc:  # BrokenPipeError: the worker is gone
            raise self._died(index) from exc

    def receive(self, index: int) -> Any:
        try:
            kind, value = self.inboxes[index].recv()
        except (EOFError, OSError) as exc:
            raise self._died(index) from exc
        if kind == "error":
            error, text = value
            raise error from WorkerFailed(text)
        return value

    def close(self) -> None:
        """Close the pipes (an idle worker leaves at once), then kill what is still running."""
        for connection in (*self.outboxes, *self.inboxes):
            connection.close()
        for crash_log in self.crash_logs:
            crash_log.close()
        deadline = time.monotonic() + 0.5
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in self.processes:
            if process.is_alive():
                process.kill()  # SIGKILL: nothing it inherited can keep it
            process.join()
        self.processes = []


_POOL: _Workers | None = None


def pool_shutdown(pool: _Workers | None = None) -> None:
    """End the import's worker processes (`pool`, else the one running), if any; idempotent.

    prepared() calls it when it ends. A caller that stops reading prepared() part-way (an
    error, a shutdown) calls it as well: a generator left suspended closes only when it is
    garbage-collected, and the exception's traceback keeps it alive till then."""
    global _POOL, _CONTEXT
    pool = pool or _POOL
    if pool is None:
        return
    if pool is _POOL:
        _POOL, _CONTEXT = None, None
    pool.close()


def _values(obj: models.Model | None) -> tuple[Any, ...] | None:
    return None if obj is None else field_values(obj)


def _instance(model: type[models.Model], values: tuple[Any, ...] | None) -> Any:
    return None if values is None else unsaved(model, values)


def _work(chunk: Chunk) -> list[Packed]:
    assert _CONTEXT is not None
    rows, built = prepare(chunk, _CONTEXT)
    documents = pending_documents(built) if _CONTEXT.documents else {}
    out: list[Packed] = []
    for row in rows:
        if not row.is_valid:
            out.append((row.number, row.external_id, row.errors, None))
            continue
        customer, maker = built[row.number]
        document, maker_document = documents.get(row.number, (None, None))
        values = (
            _values(customer),
            _values(maker),
            _values(document),
            _values(maker_document),
            search_prepare(document) if document is not None else None,
            search_prepare(maker_document) if maker_document is not None else None,
        )
        out.append((row.number, row.external_id, None, values))
    return out


def complete(row: CleanRow, ctx: Context) -> CleanRow:
    """A row as clean_row returns it: a worker's valid row comes without its cleaned values."""
    if not row.partial:
        return row
    return clean_row(
        row.number,
        row.raw,
        ctx.mapping,
        ctx.dictionaries,
        actor=ctx.actor,
        external_source=ctx.external_source,
        memo=ctx.memo,
    )


def prepared(
    chunks: Iterable[Chunk], ctx: Context, *, workers: int
) -> Iterator[tuple[int, list[CleanRow], Built, Documents]]:
    """(rows in the chunk, cleaned rows, built customers, their pending search documents: only
    from workers) of each chunk, in order. A worker's valid rows are partial (see complete())."""
    if workers <= 0:
        for chunk in chunks:
            yield (len(chunk), *prepare(chunk, ctx), {})
        return
    global _CONTEXT, _POOL
    pool_shutdown()  # one left by a reader that stopped part-way without calling it
    _CONTEXT = ctx
    pool = _POOL = _Workers(workers)
    try:
        remaining = iter(chunks)
        in_flight: deque[tuple[int, Chunk]] = deque()
        for index in range(workers):
            first = next(remaining, None)
            if first is None:
                break
            pool.send(index, first)
            in_flight.append((index, first))
        while in_flight:
            index, chunk = in_flight.popleft()
            packed = pool.receive(index)
            following = next(remaining, None)
            if following is not None:  # the worker cleans it while this batch is written
                pool.send(index, following)
                in_flight.append((index, following))
            yield _received(chunk, packed)
    finally:
        pool_shutdown(pool)


def _received(chunk: Chunk, packed: list[Packed]) -> tuple[int, list[CleanRow], Built, Documents]:
    raw = dict(chunk)
    rows: list[CleanRow] = []
    built: Built = {}
    documents: Documents = {}
    for number, external_id, errors, values in packed:
        if values is None:
            rows.append(CleanRow(number, raw[number], errors=errors or {}, external_id=external_id))
            continue
        rows.append(CleanRow(number, raw[number], external_id=external_id, partial=True))
        customer, maker = _instance(Customer, values[0]), _instance(Contact, values[1])
        built[number] = (customer, maker)
        if values[2] is not None:
            document = search_prepared(_instance(SearchDocument, values[2]), values[4])
            maker_document = _instance(SearchDocument, values[3])
            if maker_document is not None:
                search_prepared(maker_document, values[5])
            documents[number] = (document, maker_document)
    if len(documents) != len(built):
        documents = {}  # built in the main process instead (see pending_documents)
    return len(chunk), rows, built, documents
