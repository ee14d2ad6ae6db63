"""kehu api_token USERNAME: create an API token and print it, once; only its hash is stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kehu.accounts.models import ApiToken, User
from kehu.accounts.services import api_token_create
from kehu.core.middleware import current_source, set_source


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--scope",
            choices=ApiToken.Scope.values,
            default=ApiToken.Scope.READ_WRITE,
            help="read: GET only; read_write (default): also create, change and delete.",
        )
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'ERP sync'.")
        parser.add_argument(
            "--expires-days", type=int, default=None, help="Expire after N days (default: never)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user '{options['username']}'.")
        if not user.is_active:
            raise CommandError(f"User '{user.username}' is inactive.")
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-days must be 1 or more.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        previous_source = current_source()
        set_source("cli")
        try:
            token, raw = api_token_create(
                actor=None,
                user=user,
                name=options["name"],
                scope=options["scope"],
                expires_at=expires_at,
            )
        finally:
            set_source(previous_source)
        until = (
            f"until {timezone.localtime(expires_at):%Y-%m-%d %H:%M}" if expires_at else "no expiry"
        )
        self.stderr.write(
            f"API token #{token.pk} for {user.username} ({token.scope}, {until}). "
            "It is shown only now; store it safely."
        )
        self.stdout.write(raw)
