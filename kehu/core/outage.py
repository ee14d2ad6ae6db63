"""The database is down or restarting: a clear 503, never a 500 with a traceback (issue 21).

While PostgreSQL is stopped, restarting or refusing connections, every request that needs it
fails with Django's OperationalError or InterfaceError. Those become:

- on the API, `503 {"detail": "...", "code": "database_unavailable"}` (`register(api)`, beside
  the API's other handlers in kehu/api.py);
- on a page, a small page of its own that reads nothing from the database (`server_error`, the
  project's handler500 in kehu/urls.py: errors raised in a middleware, before any view, end
  there too);
- both with `Retry-After`, so that a client or a load balancer tries again shortly.

A change whose request failed before its transaction committed was not saved; one that
committed just before the outage was (only its reply was lost): people are told to check. Once the database is
back, the next request reconnects (CONN_HEALTH_CHECKS, kehu/settings_privacy.py) and succeeds.
Any other error keeps Django's own 500.

A full disk is told apart (`is_disk_full`), so that a long job (an import) can say what to do
instead of quoting the driver.
"""

from __future__ import annotations

import errno
import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error
from ninja import NinjaAPI

RETRY_AFTER_SECONDS = 5
OUTAGE_ERRORS = (OperationalError, InterfaceError)
logger = logging.getLogger(__name__)


def _message() -> str:
    return _(
        "The database cannot be reached just now (it may be restarting). Try again in a few "
        "seconds; check afterwards whether your last change was saved."
    )


def database_unavailable_json() -> JsonResponse:
    response = JsonResponse({"detail": _message(), "code": "database_unavailable"}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def database_unavailable_page() -> HttpResponse:
    """The page for people: standalone (base.html reads the user and the company settings)."""
    body = render_to_string("503.html", {"message": _message(), "retry": RETRY_AFTER_SECONDS})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _connection_lost() -> bool:
    """A connection of this request met a database error and no longer answers: what is left
    when the error itself was wrapped in another (pydantic reports an attribute that could not be
    read as its own ValidationError)."""
    return any(
        db.errors_occurred and db.connection is not None and not db.is_usable()
        for db in connections.all(initialized_only=True)
    )


def is_outage(error: BaseException | None) -> bool:
    """Whether error comes from the database being unreachable (itself, what caused it, or a
    connection of this request found broken after it)."""
    seen: set[int] = set()
    cause = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OUTAGE_ERRORS):
            return True
        cause = cause.__cause__ or cause.__context__
    return error is not None and _connection_lost()


def outage_response(request: HttpRequest, error: BaseException) -> HttpResponse | None:
    """The 503 for an unexpected error that is an outage (None if it is not): for the API's
    catch-all handler (kehu/api.py)."""
    if not is_outage(error):
        return None
    _log(request, error)
    return database_unavailable_json()


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage is a 503 (JSON under /api/, a page elsewhere)."""
    error = sys.exc_info()[1]
    if not is_outage(error):
        return django_server_error(request)
    _log(request, error)
    response = (
        database_unavailable_json()
        if request.path.startswith("/api/")
        else database_unavailable_page()
    )
    # One line each (above), not Django's traceback for every request of an outage.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _log(request: HttpRequest, error: BaseException | None) -> None:
    text = str(error).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    logger.warning("Database unavailable (%s %s): %s", request.method, request.path, first)


def register(api: NinjaAPI) -> None:
    """The API's handler: an operation that met an outage answers 503 JSON."""

    @api.exception_handler(OperationalError)
    def on_operational_error(request: HttpRequest, exc: OperationalError) -> HttpResponse:
        _log(request, exc)
        return database_unavailable_json()

    @api.exception_handler(InterfaceError)
    def on_interface_error(request: HttpRequest, exc: InterfaceError) -> HttpResponse:
        _log(request, exc)
        return database_unavailable_json()


SQLITE_FULL = 13


def is_disk_full(error: BaseException | None) -> bool:
    """Whether error (or what caused it) is a full disk: PostgreSQL's disk_full (SQLSTATE
    53100), SQLite's SQLITE_FULL, or ENOSPC from writing a file."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            return True
        if getattr(error, "sqlstate", None) == "53100":  # psycopg
            return True
        if getattr(error, "sqlite_errorcode", None) == SQLITE_FULL:
            return True
        error = error.__cause__ or error.__context__
    return False
