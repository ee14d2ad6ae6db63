"""PostgreSQL stopped and started again under load (issue 21): `kehu serve` on a throwaway
cluster of the test's own (never the shared server), people reading pages and the API and
creating customers the whole time. While the database is down every request gets a clear 503
(JSON on the API, a page on the web; never a 500 or a traceback); once it is back every request
succeeds again, and every customer whose creation was acknowledged is there, whole."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from .cluster import Cluster, available, copy_database
from .helpers import PG_PORT, WEB_PORT, Session, kehu_env, serve, stop

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not available(), reason="no PostgreSQL binaries"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NAME = "停机验证{n:04d}号贸易有限公司"


class Traffic:
    """Three people at once: one creating customers, one reading the API, one the list page."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.phase = "before"
        self.done = threading.Event()
        self.seen: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.sent = 0

    def _one(self, kind: str) -> None:
        phase = self.phase
        body = None
        if kind == "create":
            with self.lock:
                self.sent += 1
                n = self.sent
            method, path = "POST", "/api/v1/customers"
            body = {
                "name": NAME.format(n=n),
                "decision_maker": {"name": "王建国", "mobile": f"1390000{n:04d}"},
                "allow_duplicate": True,
            }
        elif kind == "api":
            method, path = "GET", "/api/v1/customers?limit=5"
        else:
            method, path = "GET", "/customers/"
        try:
            status, headers, text = self.session.request(WEB_PORT, method, path, body)
        except OSError as error:
            status, headers, text = 0, {}, repr(error)
        with self.lock:
            self.seen.append(
                {"phase": phase, "ended": self.phase, "kind": kind, "status": status}
                | {"headers": headers, "text": text}
                | ({"name": body["name"]} if body else {})
            )

    def run(self, kind: str) -> None:
        while not self.done.is_set():
            self._one(kind)
            time.sleep(0.05)

    def wait_for_creates(self, phase: str, count: int, timeout: float = 60) -> None:
        """Until `count` customers sent in `phase` were acknowledged (a loaded machine is slow)."""
        deadline = time.monotonic() + timeout
        while len([s for s in self.of(phase, "create") if s["status"] == 201]) < count:
            assert time.monotonic() < deadline, f"fewer than {count} creations {phase}"
            time.sleep(0.1)

    def of(self, phase: str, kind: str, ended: str | None = None) -> list[dict[str, Any]]:
        """The requests of `kind` sent in `phase` (and answered before it ended, if `ended`)."""
        return [
            s
            for s in self.seen
            if s["phase"] == phase and s["kind"] == kind and ended in (None, s["ended"])
        ]


def test_postgresql_restarted_under_load(rep: Any, tmp_path: Path) -> None:
    session = Session(rep)  # before the copy: the session row travels with the data
    cluster = Cluster(PG_PORT)
    server = None
    try:
        cluster.start()
        copy_database(connection.settings_dict, cluster, "kehu")
        server = serve(kehu_env(cluster.url("kehu"), tmp_path), tmp_path / "serve.log", workers=2)
        traffic = Traffic(session)
        threads = [
            threading.Thread(target=traffic.run, args=(k,)) for k in ("create", "api", "web")
        ]
        for thread in threads:
            thread.start()
        traffic.wait_for_creates("before", 3)
        traffic.phase = "stopping"
        cluster.stop("fast")  # connections are cut, new ones refused
        traffic.phase = "down"
        time.sleep(3)
        traffic.phase = "restarting"
        cluster.start()  # -w: returns once it accepts connections
        traffic.phase = "after"
        traffic.wait_for_creates("after", 3)
        traffic.done.set()
        for thread in threads:
            thread.join(timeout=30)
        acknowledged = [s for s in traffic.seen if s["kind"] == "create" and s["status"] == 201]
        numbers = [json.loads(s["text"])["customer_no"] for s in acknowledged]
        checks: list[int | str] = []
        for no in numbers:
            try:
                checks.append(session.request(WEB_PORT, "GET", f"/api/v1/customers/{no}")[0])
            except OSError as error:
                checks.append(repr(error))
        stored = cluster.psql(
            "kehu",
            "SELECT c.name, count(k.id) FROM customers_customer c LEFT JOIN customers_contact k"
            " ON k.customer_id = c.id WHERE c.name LIKE '停机验证%' GROUP BY c.name",
        )
    finally:
        if server is not None:
            stop(server)
        out = (tmp_path / "serve.log").read_text() if server is not None else ""
        cluster.remove()

    statuses = {s["status"] for s in traffic.seen}
    assert statuses <= {200, 201, 503}, [
        s for s in traffic.seen if s["status"] not in (200, 201, 503)
    ][:3]
    for kind in ("create", "api", "web"):
        before = traffic.of("before", kind, ended="before")
        assert before and {s["status"] for s in before} <= {200, 201}, (kind, before[:2])
        down = traffic.of("down", kind)
        assert down and {s["status"] for s in down} == {503}, (kind, down[:2])
        after = traffic.of("after", kind)
        assert after and {s["status"] for s in after} <= {200, 201}, (kind, after[:2])
    for seen in traffic.seen:
        if seen["status"] != 503:
            continue
        assert seen["headers"]["retry-after"] == "5"
        assert "Traceback" not in seen["text"]
        if seen["kind"] == "web":  # a page for people
            assert seen["headers"]["content-type"].startswith("text/html")
            assert 'id="database-unavailable"' in seen["text"]
        else:
            assert json.loads(seen["text"])["code"] == "database_unavailable"

    # Nothing acknowledged is lost; nothing stored is half-written (each with its contact).
    summary = [(s["phase"], s["kind"], s["status"]) for s in traffic.seen]
    assert checks == [200] * len(numbers), (checks, summary, out[-3000:])
    rows = dict(line.split("|") for line in stored.splitlines())
    assert set(s["name"] for s in acknowledged) <= set(rows)
    assert set(rows) <= {s["name"] for s in traffic.seen if s["kind"] == "create"}
    assert set(rows.values()) == {"1"}, rows
    assert len(acknowledged) >= 6, out[-2000:]
    assert "Traceback" not in "".join(s["text"] for s in traffic.seen)
