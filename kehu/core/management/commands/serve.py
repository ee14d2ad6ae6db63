"""`kehu serve`: Kehu behind a production WSGI server (gunicorn), static files from WhiteNoise.

    kehu serve                          # 127.0.0.1:8000, KEHU_WEB_WORKERS or 2 x CPUs + 1 (≤ 8)
    kehu serve --bind 0.0.0.0:8000 --workers 4
    kehu serve --print                  # the gunicorn command it would run

The task worker is separate (`kehu db_worker`); `make run` stays the development sandbox.
Logs are JSON lines with request ids (KEHU_LOG_FORMAT=json unless set otherwise)."""

from __future__ import annotations

import os
import shlex
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


def default_workers() -> int:
    raw = os.environ.get("KEHU_WEB_WORKERS", "")
    if raw:
        return int(raw)
    return min(2 * (os.cpu_count() or 1) + 1, 8)


class Command(BaseCommand):
    help = "Serve Kehu with gunicorn (production); static files through WhiteNoise."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("KEHU_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=None)
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--timeout", type=int, default=60, help="seconds per request")
        parser.add_argument("--print", action="store_true", help="print the command, run nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            workers = options["workers"] or default_workers()
        except ValueError as error:
            raise CommandError("KEHU_WEB_WORKERS must be a whole number.") from error
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "kehu.wsgi:application",
            "--config",
            "python:kehu.core.gunicorn_conf",  # preloaded and warmed up before the fork
            "--bind",
            options["bind"],
            "--workers",
            str(workers),
            "--threads",
            str(options["threads"]),
            "--timeout",
            str(options["timeout"]),
            "--access-logfile",
            "-",
            "--access-logformat",
            "%({x-request-id}o)s %(m)s %(U)s %(s)s %(L)ss",
            "--forwarded-allow-ips",
            ",".join(getattr(settings, "KEHU_TRUSTED_PROXIES", []) or ["127.0.0.1"]),
        ]
        if options["print"]:
            self.stdout.write(shlex.join(argv))
            return
        # Static files once, into STATIC_ROOT, so the workers serve them without finders.
        call_command("collectstatic", interactive=False, verbosity=0)
        env = {**os.environ, "KEHU_LOG_FORMAT": os.environ.get("KEHU_LOG_FORMAT", "json")}
        self.stdout.write(f"Kehu: http://{options['bind']} ({workers} workers)")
        self.stdout.flush()
        os.execve(sys.executable, argv, env)
