"""kehu tags_autotag --rule NAME [--dry-run]: run one keyword rule over every existing text."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.core.middleware import set_source
from kehu.tags.models import KeywordTagRule
from kehu.tags.rules.apply import rule_preview
from kehu.tags.rules.services import keyword_rule_run_now


class Command(BaseCommand):
    help = (
        "Run a keyword tag rule over every existing interaction summary, chat capture, customer "
        "note and follow-up note now (the rules page queues the same run for the worker)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rule", required=True, help="The rule's name (or id).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count the customers it would tag."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        set_source("cli")
        key = options["rule"].strip()
        rules = KeywordTagRule.objects.select_related("tag")
        rule = rules.filter(name=key).first() or (
            rules.filter(pk=int(key)).first() if key.isdigit() else None
        )
        if rule is None:
            raise CommandError(f"No keyword rule named {key!r}.")
        if options["dry_run"]:
            preview = rule_preview(rule)
            self.stdout.write(
                f"{rule.name}: {preview['matched']} customers match, {preview['new']} new"
            )
            for sample in preview["samples"]:
                self.stdout.write(f"  · {sample}")
            return
        result = keyword_rule_run_now(rule_id=rule.pk)
        self.stdout.write(
            f"{rule.name}: {result['matched']} customers match, {result['new']} tagged, "
            f"{result['refreshed']} refreshed"
        )
