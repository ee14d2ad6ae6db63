"""kehu dedupe_scan [--output pairs.csv] [--threshold P] [--store]: every probable duplicate pair.

Cells that a spreadsheet would run as a formula (= + - @ tab CR first) start with an apostrophe,
as in every export (kehu.core.spreadsheet)."""

from __future__ import annotations

import csv
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kehu.core.spreadsheet import neutralize_cell
from kehu.customers.models import Customer
from kehu.dedupe.scan import scan_customers
from kehu.dedupe.services import pairs_store, scan_pairs_undecided

COLUMNS = ("customer_no_a", "customer_no_b", "external_id_a", "external_id_b", "score")


class Command(BaseCommand):
    help = (
        "Scan every customer for probable duplicates; write one CSV row per pair at or above "
        "the threshold (KEHU_DEDUPE_SCAN_THRESHOLD)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", default="-", help="CSV file (default: stdout)")
        parser.add_argument("--threshold", type=float, default=None, help="match probability")
        parser.add_argument(
            "--store", action="store_true", help="also put new pairs in the steward's queue"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        pairs = scan_pairs_undecided(scan_customers(threshold=options["threshold"]))
        numbers = dict(Customer.objects.values_list("pk", "customer_no"))
        externals = dict(Customer.objects.values_list("pk", "external_id"))
        output = options["output"]
        handle = sys.stdout if output == "-" else open(output, "w", newline="", encoding="utf-8")
        try:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for pair in pairs:
                cells = [
                    numbers.get(pair.id_a, ""),
                    numbers.get(pair.id_b, ""),
                    externals.get(pair.id_a, ""),
                    externals.get(pair.id_b, ""),
                    f"{pair.score:.4f}",
                ]
                # External ids come from other systems: '=HYPERLINK(...)' must stay text.
                writer.writerow([neutralize_cell(cell) for cell in cells])
        finally:
            if handle is not sys.stdout:
                handle.close()
        if options["store"]:
            pairs_store(pairs=pairs)
        self.stderr.write(
            f"{len(pairs)} candidate pairs among {len(numbers)} customers "
            f"in {time.monotonic() - started:.1f} s"
        )
