"""kehu user: manage users from the shell (kehu.accounts.users; audited with source "cli").

    kehu user list [--role ROLE] [--team TEAM] [--inactive]
    kehu user create USERNAME [--role rep] [--team 华东] [--display-name 张三] [--email E]
                     [--grant reveal_pii|edit_finance ...] [--require-2fa] [--password-stdin]
    kehu user set USERNAME [--role R] [--team T|--no-team] [--display-name N] [--email E]
                  [--steward-unit TEAM|--no-steward-unit]
                  [--grant G ...] [--revoke G ...] [--require-2fa|--no-require-2fa]
    kehu user deactivate USERNAME
    kehu user reactivate USERNAME
    kehu user password USERNAME [--password-stdin]

Without --password-stdin a temporary password is printed once.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.accounts import users
from kehu.accounts.models import User
from kehu.core.errors import DomainError, ValidationFailed
from kehu.core.middleware import current_source, set_source

GRANTS = {"reveal_pii": "can_reveal_pii", "edit_finance": "can_edit_finance"}


class Command(BaseCommand):
    help = "Create, change, deactivate and reactivate users, and reset passwords."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        listing = commands.add_parser("list", help="List users.")
        listing.add_argument("--role")
        listing.add_argument("--team")
        listing.add_argument("--inactive", action="store_true", help="only deactivated users")
        create = commands.add_parser("create", help="Create a user.")
        create.add_argument("username")
        setting = commands.add_parser("set", help="Change a user.")
        setting.add_argument("username")
        for sub in (create, setting):
            sub.add_argument("--role")
            sub.add_argument("--team")
            sub.add_argument("--steward-unit", help="a data steward's business unit (a team)")
            sub.add_argument("--display-name")
            sub.add_argument("--email")
            sub.add_argument("--grant", action="append", choices=sorted(GRANTS), default=[])
            sub.add_argument("--require-2fa", action="store_true", default=None)
        setting.add_argument("--no-team", action="store_true")
        setting.add_argument("--no-steward-unit", action="store_true")
        setting.add_argument("--revoke", action="append", choices=sorted(GRANTS), default=[])
        setting.add_argument("--no-require-2fa", action="store_true")
        create.add_argument("--password-stdin", action="store_true")
        for name in ("deactivate", "reactivate"):
            commands.add_parser(name, help=f"{name.capitalize()} a user.").add_argument("username")
        password = commands.add_parser("password", help="Reset a user's password.")
        password.add_argument("username")
        password.add_argument("--password-stdin", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        previous_source = current_source()
        set_source("cli")
        try:
            getattr(self, f"_{options['action']}")(options)
        except ValidationFailed as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
            raise CommandError(problems) from exc
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            set_source(previous_source)

    def _user(self, username: str) -> User:
        user = User.objects.select_related("team").filter(username=username).first()
        if user is None:
            raise CommandError(f"No user '{username}'.")
        return user

    def _data(self, options: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for option, field in (
            ("role", "role"),
            ("team", "team"),
            ("steward_unit", "steward_unit"),
            ("display_name", "display_name"),
        ):
            if options.get(option) is not None:
                data[field] = options[option]
        if options.get("email") is not None:
            data["email"] = options["email"]
        if options.get("no_team"):
            data["team"] = None
        if options.get("no_steward_unit"):
            data["steward_unit"] = None
        for grant in options.get("grant") or []:
            data[GRANTS[grant]] = True
        for grant in options.get("revoke") or []:
            data[GRANTS[grant]] = False
        if options.get("require_2fa"):
            data["requires_two_factor"] = True
        if options.get("no_require_2fa"):
            data["requires_two_factor"] = False
        return data

    def _read_password(self, options: dict[str, Any]) -> str:
        if not options.get("password_stdin"):
            return ""
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise CommandError("No password on standard input.")
        return password

    def _describe(self, user: User) -> str:
        grants = [g for g, field in GRANTS.items() if getattr(user, field)]
        parts = [
            user.username,
            user.display_name or "-",
            user.role,
            user.team.name if user.team else "-",
            "active" if user.is_active else "inactive",
        ]
        if grants:
            parts.append("grants=" + ",".join(grants))
        if user.requires_two_factor:
            parts.append("2fa")
        if user.steward_unit_id:
            parts.append("unit=" + str(user.steward_unit))
        return "\t".join(parts)

    def _list(self, options: dict[str, Any]) -> None:
        queryset = User.objects.select_related("team").order_by("username")
        if options.get("role"):
            queryset = queryset.filter(role=options["role"])
        if options.get("team"):
            queryset = queryset.filter(team__name=options["team"])
        if options.get("inactive"):
            queryset = queryset.filter(is_active=False)
        for user in queryset:
            self.stdout.write(self._describe(user))

    def _create(self, options: dict[str, Any]) -> None:
        password = self._read_password(options)
        data = {"username": options["username"], **self._data(options)}
        if password:
            data["password"] = password
        user, given = users.user_create(actor=None, data=data)
        self.stdout.write(f"Created user {self._describe(user)}")
        if not password:
            self.stdout.write(f"Temporary password (shown once): {given}")

    def _set(self, options: dict[str, Any]) -> None:
        data = self._data(options)
        if not data:
            raise CommandError("Nothing to change: give --role, --team, --grant, ...")
        user = users.user_update(actor=None, user=self._user(options["username"]), data=data)
        self.stdout.write(f"Changed user {self._describe(self._user(user.username))}")

    def _deactivate(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        users.user_update(actor=None, user=user, data={"is_active": False})
        self.stdout.write(
            f"Deactivated {user.username}: sign-in refused, sessions and tokens ended."
        )

    def _reactivate(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        users.user_update(actor=None, user=user, data={"is_active": True})
        self.stdout.write(f"Reactivated {user.username}.")

    def _password(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        given = self._read_password(options)
        new = users.user_password_reset(actor=None, user=user, password=given)
        self.stdout.write(f"Password of {user.username} reset; their sessions ended.")
        if not given:
            self.stdout.write(f"Temporary password (shown once): {new}")
