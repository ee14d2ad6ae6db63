"""How many tasks a second one machine's queue takes in and runs, per backend (docs/ARCHITECTURE.md).

    KEHU_DATA_DIR=/tmp/q .venv/bin/kehu migrate
    KEHU_DATA_DIR=/tmp/q [KEHU_TASK_BACKEND=rq] .venv/bin/python -m bench.queue_rate --tasks 500

Queues `--tasks` runs of a task that does one small query (the reminder scan, with its periodic
re-queueing off), then drains them with `--workers` `kehu worker --batch` processes started at
once. Prints enqueue and drain rates as JSON. Run it on a database of its own (it leaves the
finished task results behind) and under `flock /tmp/kehu-bench.lock`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
    os.environ["KEHU_REMINDER_SCAN_SECONDS"] = "0"
    django.setup()
    from django.conf import settings

    from kehu.interactions.tasks import reminders_scan

    started = time.perf_counter()
    for _ in range(args.tasks):
        reminders_scan.enqueue()
    enqueued = time.perf_counter() - started
    started = time.perf_counter()
    command = [sys.executable, "-m", "kehu", "worker", "--batch", "--no-startup-delay", "-v0"]
    workers = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(args.workers)
    ]
    for worker in workers:
        worker.wait()
    drained = time.perf_counter() - started
    print(
        json.dumps(
            {
                "backend": settings.KEHU_TASK_BACKEND,
                "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
                "tasks": args.tasks,
                "workers": args.workers,
                "enqueue_per_s": round(args.tasks / enqueued),
                "run_per_s": round(args.tasks / drained),
            }
        )
    )


if __name__ == "__main__":
    main()
