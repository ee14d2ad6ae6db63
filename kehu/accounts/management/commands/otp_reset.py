"""kehu otp_reset USERNAME: remove a user's two-factor devices (a lost phone); audited, user told."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.accounts.models import User
from kehu.accounts.services import otp_devices_reset
from kehu.core.middleware import current_source, set_source


class Command(BaseCommand):
    help = (
        "Remove every two-factor device of a user; they set up an authenticator again with "
        "their password at the next sign-in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user '{options['username']}'.")
        previous_source = current_source()
        set_source("cli")
        try:
            removed = otp_devices_reset(actor=None, user=user)
        finally:
            set_source(previous_source)
        self.stdout.write(
            f"Two-factor sign-in of {user.username} reset: {removed} device(s) removed."
        )
