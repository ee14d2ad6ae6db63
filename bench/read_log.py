"""Read log and daily volume: what one read entry and one volume upsert cost, and what the
masked-match rule of search (kehu/search/masked.py) adds to a search.

    KEHU_DATA_DIR=DIR .venv/bin/python -m bench.read_log [--prefill 1000000] [--n 2000]
    KEHU_DATABASE_URL=postgres://… .venv/bin/python -m bench.read_log …

Needs a prepared database with a search index (bench/prepare.py, then `kehu search_reindex`).
1. The read log is filled to --prefill entries (a year of a busy team's reads), so the insert
   meets B-trees of a realistic depth; then read_record() is timed --n times, each one alone in
   autocommit, as the 360 page and search write it.
2. The volume upsert (pull_rows, one statement) is timed the same way.
3. A query mix (pinyin and initials of customer names, 4-digit phone suffixes, e-mail prefixes,
   Chinese names) is searched as an executive, who sees every customer with phones and e-mails
   masked: with the masked-match rule (the shipped code) and without it (the rule switched off in
   this process), to show what the check costs. Times are wall ms of search_for() in-process.
4. With --import FILE: the same read_record() while `kehu import FILE` runs in another process
   (a transaction per batch of 1,000 rows): on SQLite a read entry waits for the import's write
   lock, on PostgreSQL it does not. The customers it creates stay (use a throwaway database).
Run under `flock /tmp/kehu-bench.lock`.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import database_info, django_setup, summarize


def _prefill(total: int) -> int:
    from django.utils import timezone

    from kehu.audit.models import ReadEntry

    have = ReadEntry.objects.count()
    now = timezone.now()
    batch = []
    for n in range(have, total):
        batch.append(
            ReadEntry(
                created_at=now,
                actor_name="bench",
                kind="view" if n % 3 else "search",
                customer_id=n % 100_000 + 1,
                target_label=f"CX2026{n % 10000:04d} 预填充客户",
                query="" if n % 3 else "华信",
                row_count=n % 20,
                source="web",
                ip="10.0.0.1",
            )
        )
        if len(batch) == 20_000:
            ReadEntry.objects.bulk_create(batch)
            batch = []
    if batch:
        ReadEntry.objects.bulk_create(batch)
    return ReadEntry.objects.count()


def _time(fn: Any, n: int) -> dict[str, float]:
    for _ in range(20):
        fn()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return summarize(times)


def _queries(count: int) -> list[str]:
    """Words people type, taken from the data: pinyin and initials, phone suffixes, e-mail
    prefixes, Chinese name cores."""
    from kehu.core.models import SearchDocument

    rng = random.Random(2026)
    from kehu.contacts.models import Contact
    from kehu.core.normalize import phone_digits

    rows = list(
        SearchDocument.objects.exclude(pinyin="")
        .order_by("?")
        .values_list("name_key", "pinyin", "initials")[: count * 2]
    )
    # The documents hold no phone or e-mail in clear (issue 19): take them from contacts.
    details = list(
        Contact.objects.exclude(mobile="").order_by("?").values_list("mobile", "email")[: len(rows)]
    )
    details += [("", "")] * (len(rows) - len(details))
    queries: list[str] = []
    for (name_key, pinyin, initials), (mobile, email) in zip(rows, details, strict=True):
        phone_rev = phone_digits(mobile)[::-1]
        pick = rng.choice(["pinyin", "initials", "phone", "email", "name"])
        if pick == "pinyin" and pinyin:
            queries.append(pinyin[: rng.randint(4, 8)])
        elif pick == "initials" and len(initials) >= 3:
            queries.append(initials[:3])
        elif pick == "phone" and len(phone_rev) >= 4:
            queries.append(phone_rev[:4][::-1])
        elif pick == "email" and "@" in email:
            queries.append(email.split("@")[0][:5])
        elif name_key:
            queries.append(name_key[:3])
    return queries[:count]


def _search(user: Any, queries: list[str], *, checked: bool) -> dict[str, float]:
    from kehu.search import masked
    from kehu.search.selectors import search_for

    original = masked.Viewer.__init__

    def unchecked(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.checks_rows = False

    if not checked:
        masked.Viewer.__init__ = unchecked  # type: ignore[method-assign]
    try:
        for q in queries[:20]:
            search_for(user, q, limit=5)
        times = []
        for q in queries:
            started = time.perf_counter()
            search_for(user, q, limit=5)
            times.append((time.perf_counter() - started) * 1000)
        return summarize(times)
    finally:
        masked.Viewer.__init__ = original  # type: ignore[method-assign]


def _during_import(path: Path, record: Any) -> dict[str, float]:
    """read_record() every 10 ms while an import runs in another process."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kehu", "import", str(path), "--user", "admin"],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    times = []
    time.sleep(3)  # past the file's upload and inspection, into the batches
    while process.poll() is None:
        started = time.perf_counter()
        record()
        times.append((time.perf_counter() - started) * 1000)
        time.sleep(0.01)
    return summarize(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prefill", type=int, default=1_000_000)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--import", dest="import_file", type=Path, default=None)
    args = parser.parse_args()
    django_setup()
    from kehu.accounts.models import User
    from kehu.audit.models import ReadEntry
    from kehu.audit.services import read_record
    from kehu.customers.models import Customer
    from kehu.customers.pull_volume import pull_rows

    info = database_info()
    print(f"database: {info}")
    started = time.monotonic()
    rows = _prefill(args.prefill)
    print(f"read log: {rows:,} entries ({time.monotonic() - started:.0f}s to fill)")
    rep = User.objects.filter(role="rep", is_active=True).order_by("id").first()
    executive = User.objects.filter(role="executive", is_active=True).order_by("id").first()
    assert rep is not None and executive is not None, "run bench/prepare.py first"
    customer = Customer.objects.order_by("id").first()
    entry = _time(lambda: read_record(actor=rep, kind=ReadEntry.Kind.VIEW, target=customer), args.n)
    print(f"read_record (one INSERT, autocommit): {entry}")
    upsert = _time(lambda: pull_rows(actor=rep, rows=25, refuse=False), args.n)
    print(f"pull_rows (one upsert, autocommit):   {upsert}")
    if args.import_file is not None:
        during = _during_import(
            args.import_file,
            lambda: read_record(actor=rep, kind=ReadEntry.Kind.VIEW, target=customer),
        )
        print(f"read_record while an import runs:    {during}")
    queries = _queries(args.queries)
    for label, checked in (("with the masked-match rule", True), ("without it", False)):
        print(f"search as executive, {label}: {_search(executive, queries, checked=checked)}")


if __name__ == "__main__":
    main()
