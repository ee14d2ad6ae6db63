"""The change log as an event stream: higher apps (kehu.workflow) listen for new entries.

`listen(fn)` registers a callable that takes no arguments; after a transaction that wrote audit
entries commits, every listener is called once (not once per entry: an import of 100,000 rows
in one transaction calls it once). A listener reads the new entries from the log itself, after
a cursor of its own, so a rolled-back change is never seen and nothing is lost if it fails.
With no listener registered, audit_record pays one list check. Lower apps never import the
listeners: they register themselves (an AppConfig.ready()).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection, transaction

logger = logging.getLogger(__name__)

Listener = Callable[[], None]
_listeners: list[Listener] = []


def listen(fn: Listener) -> Listener:
    """Call `fn()` after each commit that wrote audit entries (registering twice is once)."""
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


def unlisten(fn: Listener) -> None:
    if fn in _listeners:
        _listeners.remove(fn)


def _dispatch() -> None:
    for fn in list(_listeners):
        try:
            fn()
        except Exception:  # a listener's failure never undoes or breaks the committed change
            logger.exception("Audit listener %r failed", fn)


def entries_written() -> None:
    """Called by audit_record and audit_record_many inside their transaction: schedule the
    listeners for the commit, once per transaction."""
    if not _listeners:
        return
    if any(callback[1] is _dispatch for callback in connection.run_on_commit):
        return
    transaction.on_commit(_dispatch)
