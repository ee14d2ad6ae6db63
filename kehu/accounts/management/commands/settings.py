"""kehu settings: show or change the company's settings (kehu.accounts.company; audited with
source "cli", as the system).

    kehu settings show
    kehu settings set [--name N] [--time-zone Asia/Shanghai] [--working-days 0,1,2,3,4]
                      [--holidays 2026-10-01,2026-10-02] [--extra-workdays 2026-09-27]
                      [--pool-claim-limit 10] [--two-factor-roles manager,admin,steward|all]

Dates and weekdays are comma-separated; an empty --holidays "" clears the list.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.accounts.company import company_settings_update
from kehu.core.company import FIELDS, company_settings
from kehu.core.errors import ValidationFailed
from kehu.core.middleware import current_source, set_source


class Command(BaseCommand):
    help = (
        "Show or change the company's settings (name, time zone, calendar, pool limit, "
        "the roles that sign in with two factors)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("show", help="Print the settings in force as JSON.")
        setting = commands.add_parser("set", help="Change some of them.")
        for field in FIELDS:
            setting.add_argument("--" + field.replace("_", "-"), dest=field)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "set":
            data = {field: options[field] for field in FIELDS if options.get(field) is not None}
            if not data:
                raise CommandError("Nothing to change: give --name, --time-zone, ...")
            previous_source = current_source()
            set_source("cli")
            try:
                company_settings_update(actor=None, data=data)
            except ValidationFailed as exc:
                problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
                raise CommandError(problems) from exc
            finally:
                set_source(previous_source)
        self.stdout.write(json.dumps(company_settings().as_dict(), ensure_ascii=False, indent=2))
