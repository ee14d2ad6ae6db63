"""Reads for reports and exports on a read replica, with read-your-writes.

KEHU_REPLICA_DATABASE_URL adds a `replica` alias (a PostgreSQL streaming replica of the default
database). `ReplicaRouter` sends a read there only while `replica_reads()` is on, and never
inside a transaction of the default database (the transaction's own writes are not on the
replica); every write goes to the default database. `ReplicaMiddleware` turns it on for the
requests whose path starts with one of settings.KEHU_REPLICA_PATHS (the reports' pages and API,
the dashboards, the customer export), for the whole response (an export streams), unless the
user wrote within KEHU_REPLICA_STICKY_SECONDS: any POST, PUT, PATCH or DELETE sets the cookie
`kehu_wrote` (and, for API clients without cookies, a mark in the shared cache under the user's
id), and while it lasts that user's reads stay on the primary, so a report never misses what its
reader has just changed because the replica lags. Without the alias everything reads the
default database.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse

REPLICA = "replica"
WROTE_COOKIE = "kehu_wrote"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_reading: ContextVar[bool] = ContextVar("kehu_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside go to the replica (when one is configured and no transaction is open)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: the replica for reads inside replica_reads(), else default."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if (
            _reading.get()
            and replica_configured()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return None

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS  # a row read from the replica is saved on the primary

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True  # one database, two doors
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None


def _sticky_key(user_id: object) -> str:
    return f"kehu:wrote:{user_id}"


def wrote_recently(request: HttpRequest) -> bool:
    """Did this browser or user write within KEHU_REPLICA_STICKY_SECONDS?"""
    window = settings.KEHU_REPLICA_STICKY_SECONDS
    raw = request.COOKIES.get(WROTE_COOKIE, "")
    if raw.isdigit() and time.time() - int(raw) < window:
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(cache.get(_sticky_key(user.pk)))
    return False


def replica_wanted(request: HttpRequest) -> bool:
    """Should this request's reads go to the replica?"""
    if not replica_configured() or request.method not in ("GET", "HEAD"):
        return False
    if not request.path.startswith(tuple(settings.KEHU_REPLICA_PATHS)):
        return False
    return not wrote_recently(request)


def _streamed_on_replica(content: Iterator[Any]) -> Iterator[Any]:
    while True:
        with replica_reads():
            try:
                chunk = next(content)
            except StopIteration:
                return
        yield chunk


class ReplicaMiddleware:
    """Reports and exports read the replica; a writer's reads stay on the primary for a while."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if replica_wanted(request):
            with replica_reads():
                response = self.get_response(request)
            if isinstance(response, StreamingHttpResponse) and not response.is_async:
                content = cast(Iterator[bytes], response.streaming_content)
                response.streaming_content = _streamed_on_replica(content)
            return response
        response = self.get_response(request)
        if request.method in UNSAFE_METHODS and replica_configured():
            window = settings.KEHU_REPLICA_STICKY_SECONDS
            response.set_cookie(
                WROTE_COOKIE,
                str(int(time.time())),
                max_age=window,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                cache.set(_sticky_key(user.pk), 1, timeout=window)
        return response
