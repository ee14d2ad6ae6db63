"""kehu search_reindex: rebuild the search index from customers, contacts and interactions
(--tidy: only tidy it after many writes; --vacuum: then rewrite the SQLite file, so that no
free page keeps what the old index held)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kehu.core.search_index import search_index_tidy
from kehu.search.services import search_reindex, search_vacuum


class Command(BaseCommand):
    help = "Rebuild the search index (customers, contacts, interaction summaries)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--tidy",
            action="store_true",
            help="no rebuild: merge SQLite's FTS5 segments / VACUUM ANALYZE the documents "
            "(after large imports or deletions)",
        )
        parser.add_argument(
            "--vacuum",
            action="store_true",
            help="after the rebuild, VACUUM (SQLite: rewrite the file, so the pages the old "
            "index freed keep none of its text; PostgreSQL: vacuum the documents)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tidy"]:
            search_index_tidy()
            self.stdout.write(self.style.SUCCESS("Search index tidied."))
            return
        counts = search_reindex(
            batch_size=options["batch_size"],
            progress=not options["no_progress"] and options["verbosity"] > 0,
        )
        total = sum(counts.values())
        parts = ", ".join(f"{n:,} {kind}s" for kind, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Indexed {total:,} documents: {parts}."))
        if options["vacuum"]:
            search_vacuum()
            self.stdout.write(self.style.SUCCESS("Database vacuumed."))
