"""A database outage answers 503, clearly, on the API and on pages (kehu.core.outage); the fault
test tests/faults/test_database_restart.py stops a real PostgreSQL under load."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(rep: Any) -> Client:
    client = Client(raise_request_exception=False)  # as a real server answers
    client.force_login(rep)
    return client


@pytest.fixture(params=[OperationalError, InterfaceError])
def database_down(request: Any) -> Iterator[None]:
    def refuse(*args: Any) -> None:
        raise request.param("connection refused: is the server running on 127.0.0.1:5432?")

    with connection.execute_wrapper(refuse):
        yield


def test_the_api_answers_503_json_while_the_database_is_down(
    signed_in: Client, database_down: None
) -> None:
    response = signed_in.get("/api/v1/customers")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["code"] == "database_unavailable"
    assert "数据库" in body["detail"] or "database" in body["detail"]


def test_a_page_answers_a_503_page_while_the_database_is_down(
    signed_in: Client, database_down: None
) -> None:
    # The user is read from the session in a middleware, before any view: handler500 answers.
    response = signed_in.get("/customers/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    text = response.content.decode()
    assert 'id="database-unavailable"' in text
    assert "Traceback" not in text


def test_an_api_write_answers_503_json_while_the_database_is_down(
    signed_in: Client, database_down: None
) -> None:
    response = signed_in.post(
        "/api/v1/customers", {"name": "停机测试贸易有限公司"}, content_type="application/json"
    )
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"


def test_other_errors_stay_a_500() -> None:
    from django.test import RequestFactory

    from kehu.core.outage import server_error

    request = RequestFactory().get("/customers/")
    try:
        raise ValueError("a bug, not an outage")
    except ValueError:
        assert server_error(request).status_code == 500
    try:
        raise OperationalError("the server closed the connection unexpectedly")
    except OperationalError:
        assert server_error(request).status_code == 503


def test_a_full_disk_is_told_apart_from_other_errors() -> None:
    import errno
    import sqlite3

    from kehu.core.outage import is_disk_full

    class PgDiskFull(Exception):
        sqlstate = "53100"  # psycopg.errors.DiskFull

    try:
        try:
            raise PgDiskFull('could not extend file "base/16384/16385": No space left on device')
        except PgDiskFull as cause:
            raise OperationalError("could not extend file") from cause  # as Django wraps it
    except OperationalError as wrapped:
        assert is_disk_full(wrapped)
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = 13
    assert is_disk_full(full)
    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert not is_disk_full(OSError(errno.EACCES, "Permission denied"))
    assert not is_disk_full(OperationalError("connection refused"))
    assert not is_disk_full(None)
