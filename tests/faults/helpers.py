"""What the fault tests share: the environment of a Kehu process that reads the test's data, a
`kehu serve` on a port of their own, sessions, and plain HTTP over loopback."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

REPO = Path(settings.REPO_DIR)
WEB_PORT = 8161  # the fault tests' ports: 8161-8169 (the load bench uses 8160)
PG_PORT = 8162


def shared_database_url() -> str:
    data = connection.settings_dict
    return (
        f"postgres://{data['USER']}@{data['HOST'] or '127.0.0.1'}:{data['PORT'] or 5432}"
        f"/{data['NAME']}"
    )


def kehu_env(url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """A Kehu process on `url` that signs, encrypts and decrypts as this test process does."""
    env = {
        **os.environ,
        "KEHU_DATABASE_URL": url,
        "KEHU_DATA_DIR": str(tmp_path / "data"),
        "KEHU_SECRET_KEY": settings.SECRET_KEY,
        "KEHU_REQUIRE_2FA": "false",
        "KEHU_LOG_FORMAT": "text",
        "KEHU_FAST_PASSWORD_HASHER": "true",
    }
    if settings.KEHU_ENCRYPTION_KEYS:
        env["KEHU_ENCRYPTION_KEYS"] = settings.KEHU_ENCRYPTION_KEYS
        env["KEHU_BLIND_INDEX_KEY"] = settings.KEHU_BLIND_INDEX_KEY
    else:
        env["KEHU_ENCRYPTION_KEY_FILE"] = str(settings.KEHU_ENCRYPTION_KEY_FILE)
    env.update(extra)
    return env


def kehu(*args: str, env: dict[str, str], **popen: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kehu", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )


class Session:
    """A signed-in person's cookies (the session row is written to the test database)."""

    def __init__(self, user: Any) -> None:
        client = Client()
        client.force_login(user)
        self.csrf = _get_new_csrf_string()
        self.cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value};"
            f" {settings.CSRF_COOKIE_NAME}={self.csrf}"
        )

    def request(
        self, port: int, method: str, path: str, body: Any = None, timeout: float = 15
    ) -> tuple[int, dict[str, str], str]:
        headers = {"Cookie": self.cookie}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers |= {"Content-Type": "application/json", "X-CSRFToken": self.csrf}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            conn.close()


def get(port: int, path: str) -> int:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return 0


def serve(
    env: dict[str, str], log: Path, port: int = WEB_PORT, workers: int = 2
) -> subprocess.Popen[str]:
    """`kehu serve` in a process group of its own, answering /healthz; its output goes to `log`
    (a pipe nobody reads while the test runs would fill and block the workers)."""
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "kehu", "serve", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", str(workers)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    deadline = time.monotonic() + 90
    while get(port, "/healthz") != 200:
        if server.poll() is not None or time.monotonic() > deadline:
            stop(server)
            raise AssertionError(f"kehu serve did not start: {log.read_text()[-3000:]}")
        time.sleep(0.3)
    return server


def stop(process: subprocess.Popen[str]) -> str:
    """End a process started here (and its group), returning what it printed."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            process.terminate()
    try:
        return process.communicate(timeout=30)[0] or ""
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.communicate()[0] or ""
