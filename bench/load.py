"""The load test (issue 21): 50 people at once against `kehu serve` with 4 web workers on
PostgreSQL with 100,000 customers, for 60 seconds, over loopback only.

    .venv/bin/python bench/load.py                    # prepare once (cached), then the run
    .venv/bin/python bench/load.py --prepare-only     # build the database and stop
    flock /tmp/kehu-bench.lock .venv/bin/python bench/load.py --json bench/out/load.json

Each simulated person (a thread, signed in with a session of their own, as one of the sandbox's
reps and managers) repeats, with a think time of 1-3 s between actions as a person (and
locust's `between(1, 3)`) has: search (the search page), list (a page of the customer list), the
360 page of one of their customers, log an interaction (the API) and edit a customer (the API,
a PATCH of the notes). Every response is checked: a status other than 2xx, or a connection
error, is an error. It prints, and writes with --json, errors and p50/p95/p99 per action and the
machine's load average, and the CPU time `kehu serve`'s processes used a request (other jobs on
the machine stretch the latencies, not that); it exits 1 on any error or a p95 above
--p95-limit (300 ms).

The database (default PostgreSQL `kehu_load_bench`) is built once from the generator's files
(bench/prepare.py, then `kehu search_reindex`) and reused while its stamp in the data folder
matches. Load figures are recorded in docs/PERFORMANCE.md; CI does not run this.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script (bench/load.py) as well as with -m
    sys.path.insert(0, str(ROOT))

from bench.common import OUT, percentile, write_json  # noqa: E402
from bench.run import generate  # noqa: E402

PYTHON = sys.executable
ACTIONS = {"search": 3, "list": 3, "360": 4, "interaction": 1, "edit": 1}  # weights
PEOPLE = ("zhang", "li", "wang", "zhao", "chen", "liu", "zhou", "wu")  # reps and managers


def _env(url: str, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        KEHU_DATABASE_URL=url,
        KEHU_DATA_DIR=str(data_dir),
        KEHU_DEBUG="false",
        KEHU_LOG_LEVEL="ERROR",
        KEHU_REQUIRE_2FA="false",  # sessions are made here, not through the sign-in form
        KEHU_EXPORT_BASELINE_ROWS=str(10**9),  # 50 people pull far more than a day's volume
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
    )
    return env


def _run(command: list[str], env: dict[str, str], timeout: int = 3600) -> None:
    print("  $ " + " ".join(command[2:] if command[0] == PYTHON else command), flush=True)
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=timeout)


def prepare(url: str, data_dir: Path, customers: int) -> None:
    """Build the database once: migrate, seed the generator's data, index it for search."""
    stamp = data_dir / "load-stamp.json"
    wanted = {"customers": customers, "url": url}
    env = _env(url, data_dir)
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        print(f"== reusing the load database ({customers:,} customers); migrating", flush=True)
        _run([PYTHON, "-m", "kehu", "migrate", "--noinput", "-v0"], env)
        return
    data = generate(customers, 11)
    parts = urlsplit(url)
    pg = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", "postgres"]
    name = parts.path.lstrip("/")
    print(f"== building the load database {name} ({customers:,} customers)", flush=True)
    subprocess.run(["dropdb", *pg, "--if-exists", "--force", name], check=True, timeout=120)
    subprocess.run(
        ["createdb", *pg, "-T", "template0", "--locale=C.UTF-8", "-E", "UTF8", name],
        check=True,
        timeout=120,
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    prep = data_dir / "prepare.json"
    _run(
        [PYTHON, "-m", "bench.prepare", "--data", str(data), "--customers", str(customers)]
        + ["--json", str(prep)],
        env,
    )
    _run([PYTHON, "-m", "kehu", "search_reindex", "--no-progress"], env)
    _run([PYTHON, "-m", "kehu", "search_reindex", "--tidy"], env)
    stamp.write_text(json.dumps(wanted))


SETUP = r"""
import json, random, sys
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from kehu.customers.models import Customer

people, count = sys.argv[1].split(","), int(sys.argv[2])
rng = random.Random(21)
users = {u.username: u for u in get_user_model().objects.filter(username__in=people)}
sessions = []
for index in range(count):
    user = users[people[index % len(people)]]
    client = Client()
    client.force_login(user)
    own = list(
        Customer.objects.filter(owner=user).order_by("?").values_list("customer_no", "name")[:300]
    )
    words = sorted({name[i : i + 2] for _, name in own for i in (0, 2) if len(name) > i + 1})
    sessions.append({
        "user": user.username,
        "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "csrf": _get_new_csrf_string(),
        "customers": [no for no, _ in own],
        "words": rng.sample(words, min(40, len(words))),
    })
print(json.dumps(sessions))
"""


def sessions(env: dict[str, str], count: int) -> list[dict[str, Any]]:
    """One signed-in session per simulated person, with the customers and words they use."""
    out = subprocess.run(
        [PYTHON, "-c", SETUP, ",".join(PEOPLE), str(count)],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "kehu.settings"},
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


class Person(threading.Thread):
    def __init__(self, port: int, session: dict[str, Any], until: float, seed: int) -> None:
        super().__init__(daemon=True)
        self.port, self.session, self.until = port, session, until
        self.rng = random.Random(seed)
        self.times: dict[str, list[float]] = {name: [] for name in ACTIONS}
        self.errors: dict[str, list[str]] = {name: [] for name in ACTIONS}
        self.cookie = (
            f"sessionid={session['cookie']}; csrftoken={session['csrf']}; django_language=zh-hans"
        )

    def request(self, action: str, method: str, path: str, body: Any = None) -> None:
        headers = {"Cookie": self.cookie, "Host": f"127.0.0.1:{self.port}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers |= {"Content-Type": "application/json", "X-CSRFToken": self.session["csrf"]}
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            response.read()
            connection.close()
        except OSError as error:
            self.errors[action].append(f"{method} {path}: {error!r}")
            return
        self.times[action].append((time.perf_counter() - started) * 1000)
        if not 200 <= response.status < 300:
            self.errors[action].append(f"{method} {path}: {response.status}")

    def run(self) -> None:
        customers, words = self.session["customers"], self.session["words"]
        names, weights = list(ACTIONS), list(ACTIONS.values())
        time.sleep(self.rng.uniform(0, 2))  # people do not all start in the same second
        while time.monotonic() < self.until:
            action = self.rng.choices(names, weights)[0]
            number = self.rng.choice(customers)
            if action == "search":
                self.request(action, "GET", f"/search/?q={quote(self.rng.choice(words))}")
            elif action == "list":
                self.request(action, "GET", "/customers/")
            elif action == "360":
                self.request(action, "GET", f"/customers/{number}/")
            elif action == "interaction":
                body = {
                    "method": "phone",
                    "topic": "需求沟通",
                    "summary": "负载测试：电话回访，客户介绍了采购计划。",
                    "feedback": "interested",
                    "next_action": "下周发送报价",
                }
                self.request(action, "POST", f"/api/v1/customers/{number}/interactions", body)
            else:
                body = {"notes": f"负载测试备注 {self.rng.randint(1, 10**6)}"}
                self.request(action, "PATCH", f"/api/v1/customers/{number}", body)
            time.sleep(self.rng.uniform(1, 3))


def _wait_healthy(port: int, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"kehu serve exited ({server.returncode})")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("kehu serve did not answer /healthz")


def _server_cpu(group: int) -> float:
    """CPU seconds used so far by the processes of this process group (gunicorn's master and
    workers): a figure other jobs on the machine do not inflate, unlike the latencies."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp; utime and stime follow at 11 and 12
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/kehu_load_bench"
    )
    parser.add_argument("--data-dir", type=Path, default=OUT / "load")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="kehu serve --workers")
    parser.add_argument("--port", type=int, default=8160)
    parser.add_argument("--p95-limit", type=float, default=300.0, help="ms")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument(
        "--requests", type=int, default=None, help="(bench/run.py) use the bench's database"
    )
    args = parser.parse_args()

    if args.requests is not None:  # a module of bench/run.py: its database, already seeded
        url = os.environ.get("KEHU_DATABASE_URL", "")
        if not url.startswith("postgres"):
            print("  the load test runs on PostgreSQL only: skipped")
            if args.json:
                write_json(args.json, {"skipped": "PostgreSQL only"})
            return 0
        args.database_url, args.data_dir = url, Path(os.environ["KEHU_DATA_DIR"])
        env = _env(args.database_url, args.data_dir)
        _run([PYTHON, "-m", "kehu", "search_reindex", "--no-progress"], env)
    else:
        prepare(args.database_url, args.data_dir, args.customers)
        if args.prepare_only:
            return 0
        env = _env(args.database_url, args.data_dir)
    people = sessions(env, args.users)
    server = subprocess.Popen(
        [PYTHON, "-m", "kehu", "serve", "--bind", f"127.0.0.1:{args.port}"]
        + ["--workers", str(args.workers)],
        cwd=ROOT,
        env={**env, "KEHU_LOG_FORMAT": "text"},
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_healthy(args.port, server)
        load_before = os.getloadavg()
        cpu_before = _server_cpu(server.pid)
        until = time.monotonic() + args.seconds
        threads = [Person(args.port, s, until, seed) for seed, s in enumerate(people)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 60)
        took = time.monotonic() - started
        load_after = os.getloadavg()
        server_cpu = _server_cpu(server.pid) - cpu_before
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=60)

    result: dict[str, Any] = {
        "customers": args.customers,
        "users": args.users,
        "seconds": args.seconds,
        "workers": args.workers,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "actions": {},
    }
    failed = False
    print(
        f"\n{args.users} people, {took:.0f} s, kehu serve --workers {args.workers}, "
        f"{args.customers:,} customers; load average {load_after[0]:.2f}"
    )
    print(f"{'action':<12}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    everything: list[float] = []
    for action in ACTIONS:
        times = sorted(t for thread in threads for t in thread.times[action])
        errors = [e for thread in threads for e in thread.errors[action]]
        everything += times
        row = {
            "requests": len(times) + sum(1 for e in errors if ": " in e and "Error" in e),
            "errors": len(errors),
            "p50": round(percentile(times, 0.50), 1),
            "p95": round(percentile(times, 0.95), 1),
            "p99": round(percentile(times, 0.99), 1),
            "error_samples": errors[:5],
        }
        result["actions"][action] = row
        failed |= bool(errors) or not row["p95"] <= args.p95_limit
        print(
            f"{action:<12}{row['requests']:>9}{row['errors']:>8}"
            f"{row['p50']:>9}{row['p95']:>9}{row['p99']:>9}"
        )
        for sample in errors[:5]:
            print(f"    {sample}")
    everything.sort()
    result["all"] = {
        "requests": len(everything),
        "per_second": round(len(everything) / took, 1),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(len(everything), 1), 1),
        "p50": round(percentile(everything, 0.50), 1),
        "p95": round(percentile(everything, 0.95), 1),
        "p99": round(percentile(everything, 0.99), 1),
    }
    print(
        f"{'all':<12}{len(everything):>9}{'':>8}{result['all']['p50']:>9}"
        f"{result['all']['p95']:>9}{result['all']['p99']:>9}  ({result['all']['per_second']}/s)"
    )
    print(f"kehu serve's CPU: {result['all']['server_cpu_ms_per_request']} ms a request")
    if args.json:
        write_json(args.json, result)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
