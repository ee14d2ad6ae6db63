"""kehu import FILE: import customers from CSV, XLSX or vCard (or, with --kind interactions,
interactions from CSV or XLSX); the last line is the summary."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kehu.accounts.models import User
from kehu.core.errors import DomainError, ValidationFailed
from kehu.intake.files import csv_stream, report_lines
from kehu.intake.models import ImportRow, ImportRun
from kehu.intake.selectors import import_rows
from kehu.intake.services import (
    import_execute,
    import_index_resume,
    import_mark_stopped,
    import_upload,
    unknown_columns,
)

CHUNK = 1024 * 1024


class Command(BaseCommand):
    help = (
        "Import customers from a CSV (UTF-8, UTF-8 with BOM, GBK, GB18030), XLSX or vCard file, "
        "or interactions (--kind interactions) from a CSV or XLSX file. "
        "Prints created=N updated=N skipped=N failed=N incomplete=N as its last line."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", help="CSV, XLSX or VCF file")
        parser.add_argument(
            "--mapping",
            default="",
            help="preset: standard, salesforce, hubspot, zoho, linkedin, vcard or a saved one (default: guessed from the headers)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and find duplicates; write nothing"
        )
        parser.add_argument(
            "--on-duplicate", choices=["update", "skip", "create"], default="update"
        )
        parser.add_argument(
            "--kind",
            choices=["customers", "interactions"],
            default="customers",
            help="what the file holds (default: customers)",
        )
        parser.add_argument("--report", default="", help="write one line per input row to this CSV")
        parser.add_argument("--user", default="", help="import as this user (default: the system)")
        parser.add_argument(
            "--resume", type=int, default=0, help="continue the stopped import with this id"
        )
        parser.add_argument(
            "--consent-lawful-basis",
            choices=["consent", "contract", "existing_customer", "none"],
            default="none",
            help="the lawful basis of the people the file brings in (default: none recorded)",
        )
        parser.add_argument(
            "--consent-purpose",
            action="append",
            default=[],
            help="a purpose they agreed to (repeat): marketing, service, analysis, sensitive, "
            "third_party, cross_border; contract and existing_customer cover service only",
        )
        parser.add_argument("--consent-basis", default="", help="how and when they agreed")
        parser.add_argument(
            "--consent-wording-version", default="", help="the version of the wording agreed to"
        )
        parser.add_argument(
            "--bulk",
            action="store_true",
            help=(
                "the bulk path (automatic from 50,000 rows): search documents are built after "
                "the load, one audit entry for the whole import"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user '{options['user']}'.")
        try:
            run = self._run_for(options, actor)
        except (ValidationFailed, DomainError) as exc:
            raise CommandError(_message(exc)) from exc
        if run.status == ImportRun.Status.FINISHED and options["resume"]:
            written = import_index_resume(run)  # a bulk load whose index had not caught up
            self.stdout.write(f"search index: {written} documents written")
            self.stdout.write(run.summary)
            return
        unknown = unknown_columns(run)
        self.stdout.write(
            f"import #{run.pk}: {run.original_name} ({run.file_format}"
            f"{', ' + run.encoding if run.encoding else ''}"
            f"{f', sheet {run.sheet + 1}' if run.sheet else ''}), preset {run.preset}, "
            f"{run.total_rows} rows"
        )
        if run.consent_lawful_basis != "none":
            self.stdout.write(
                f"consent: {run.consent_lawful_basis} for {', '.join(run.consent_purposes)}"
            )
        if unknown:
            self.stdout.write(f"unknown columns (not imported): {', '.join(unknown)}")
        dry_rows: list[ImportRow] = []
        bar = None
        if sys.stdout.isatty() and self.stdout.isatty():
            from tqdm import tqdm

            bar = tqdm(
                total=run.total_rows, initial=0 if options["dry_run"] else run.position, unit="row"
            )

        def on_batch(_run: ImportRun, rows: list[ImportRow]) -> None:
            if bar is not None:
                bar.update(len(rows))
            if options["dry_run"] and options["report"]:
                dry_rows.extend(rows)

        try:
            run = import_execute(
                run,
                actor=actor,
                dry_run=options["dry_run"],
                on_batch=on_batch,
                bulk=True if options["bulk"] else None,
            )
        except DomainError as exc:
            raise CommandError(_message(exc)) from exc
        except BaseException as exc:
            if not options["dry_run"]:
                import_mark_stopped(run, str(exc) or exc.__class__.__name__)
            raise
        finally:
            if bar is not None:
                bar.close()
        if options["report"]:
            rows = dry_rows if options["dry_run"] else import_rows(run)
            with Path(options["report"]).open("w", encoding="utf-8", newline="") as handle:
                for line in csv_stream(report_lines(rows)):
                    handle.write(line)
        if options["dry_run"]:
            self.stdout.write("dry run: nothing was written")
        elif run.bulk:
            self.stdout.write("bulk load: search index caught up")
        self.stdout.write(run.summary)

    def _run_for(self, options: dict[str, Any], actor: User | None) -> ImportRun:
        if options["resume"]:
            run = ImportRun.objects.filter(pk=options["resume"]).first()
            if run is None:
                raise CommandError(f"No import #{options['resume']}.")
            return run
        if not options["file"]:
            raise CommandError("Give a FILE to import (or --resume ID).")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")

        def chunks() -> Any:
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        return import_upload(
            actor=actor,
            name=path.name,
            chunks=chunks(),
            size=path.stat().st_size,
            preset=options["mapping"],
            on_duplicate=options["on_duplicate"],
            kind=options["kind"],
            consent_lawful_basis=options["consent_lawful_basis"],
            consent_purposes=options["consent_purpose"],
            consent_basis=options["consent_basis"],
            consent_wording_version=options["consent_wording_version"],
            inspect=True,  # read here: the CLI waits for the file anyway
        )


def _message(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
    return exc.message
