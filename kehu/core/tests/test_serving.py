"""Production serving (issue 21): /healthz, request ids, log lines without personal values, and
`kehu serve` really serving through gunicorn."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kehu.core import health
from kehu.core.logs import JsonFormatter, RequestIdFilter, scrub

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_sign_in_with_counts_only(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "tasks", "search"}
    assert body["checks"]["tasks"] == {"status": "ok", "waiting": 0, "oldest_waiting_seconds": 0}
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_says_503_when_the_database_fails(client: Client, monkeypatch: Any) -> None:
    def broken() -> dict[str, Any]:
        raise ConnectionError("down")

    monkeypatch.setattr(health, "_database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"status": "fail", "error": "ConnectionError"}


def test_a_task_backlog_older_than_the_limit_is_degraded(client: Client, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from kehu.core.tasks import search_tidy

    search_tidy.enqueue()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=1))
    settings.KEHU_HEALTH_TASK_LAG = 600
    tasks = client.get("/healthz").json()["checks"]["tasks"]
    assert tasks["status"] == "degraded" and tasks["waiting"] == 1
    assert 3500 <= tasks["oldest_waiting_seconds"] <= 3700


def test_a_customer_missing_from_the_search_index_is_degraded(
    client: Client, customer_factory: Any
) -> None:
    from kehu.core.models import SearchDocument

    customer = customer_factory()
    assert client.get("/healthz").json()["checks"]["search"]["status"] == "ok"
    SearchDocument.objects.filter(kind="customer", object_id=customer.pk).delete()
    search = client.get("/healthz").json()["checks"]["search"]
    assert search == {"status": "degraded", "newest_customers_unindexed": 1}


def test_every_response_carries_a_request_id(client: Client) -> None:
    generated = client.get("/healthz")["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234abcd")["X-Request-ID"] == "lb-1234abcd"
    # Not a plain short token: replaced, never echoed.
    sent = "x" * 80
    assert client.get("/healthz", HTTP_X_REQUEST_ID=sent)["X-Request-ID"] != sent


def test_log_lines_are_json_with_the_request_id_and_no_personal_values() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("kehu.test.serving")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("called %s and wrote to %s", "13812345678", "li.lei@example.cn")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["level"] == "WARNING" and "request_id" in line
    assert "13812345678" not in line["message"] and "li.lei@" not in line["message"]
    assert line["message"] == "called 138****5678 and wrote to ***@example.cn"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+86 138-1234-5678", "+86 138****5678"),
        ("身份证 11010519491231002X", "身份证 110***********002X"),
        ("/customers/CX2026120001/ 2026-12-06 10:00", "/customers/CX2026120001/ 2026-12-06 10:00"),
    ],
)
def test_scrub_masks_numbers_of_people_not_of_records(text: str, expected: str) -> None:
    assert scrub(text) == expected


def test_serve_prints_its_gunicorn_command() -> None:
    out = io.StringIO()
    call_command("serve", "--print", "--workers", "3", "--bind", "127.0.0.1:9999", stdout=out)
    command = out.getvalue()
    assert "-m gunicorn kehu.wsgi:application" in command
    assert "--workers 3" in command and "--bind 127.0.0.1:9999" in command


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_kehu_serve_serves_healthz_and_static_files(tmp_path: Path) -> None:
    """The real thing: migrate a fresh SQLite data dir, `kehu serve`, fetch over HTTP."""
    env = {k: v for k, v in os.environ.items() if k != "KEHU_DATABASE_URL"}
    env.update(KEHU_DATA_DIR=str(tmp_path), KEHU_FAST_PASSWORD_HASHER="true")
    kehu = [sys.executable, "-m", "kehu"]
    subprocess.run([*kehu, "migrate", "-v0"], env=env, check=True, timeout=300)
    port = _free_port()
    server = subprocess.Popen(
        [*kehu, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    body, request_id = json.loads(r.read()), r.headers["X-Request-ID"]
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        assert body["status"] == "ok" and len(request_id) == 32
        url = f"http://127.0.0.1:{port}/static/vendor/htmx.org/dist/htmx.min.js"
        with urllib.request.urlopen(url, timeout=5) as r:
            assert r.status == 200 and b"htmx" in r.read(2000)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "Kehu: http://127.0.0.1" in output
