"""Prepare one bench database: migrate, create the sandbox people, seed the generator's data.

Run by bench/run.py as `python -m bench.prepare --data FOLDER --customers N --json OUT` with
KEHU_DATA_DIR / KEHU_DATABASE_URL naming an empty database.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.common import database_info, django_setup, write_json


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="generator output folder")
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args()

    django_setup()
    from django.core.management import call_command

    from bench.seed import seed
    from kehu.sandbox.management.commands.demo import Command as DemoCommand

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.monotonic() - started
    print(f"  migrated ({migrated:.1f}s)", flush=True)
    users = DemoCommand().create_people()
    counts = seed(
        args.data,
        customers_wanted=args.customers,
        created_by=users["admin"],
        log=lambda line: print(line, flush=True),
    )
    write_json(
        args.json,
        {
            "migrate_seconds": round(migrated, 1),
            "seed": counts,
            "database": database_info(),
        },
    )


if __name__ == "__main__":
    main()
