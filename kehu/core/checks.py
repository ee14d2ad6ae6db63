"""System checks: warn when the PostgreSQL locale would hide CJK text from pg_trgm."""

from __future__ import annotations

from typing import Any

from django.core.checks import Warning, register
from django.db import connection


@register("database")
def check_postgres_ctype(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if connection.vendor != "postgresql" or not kwargs.get("databases"):
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
            ctype = cursor.fetchone()[0]
    except Exception:  # noqa: BLE001 - a check must never crash startup
        return []
    if "utf" not in ctype.lower():
        return [
            Warning(
                f"The database's LC_CTYPE is {ctype!r}; Chinese text needs a UTF-8 locale.",
                hint="Create it with: createdb -T template0 --locale=C.UTF-8 NAME",
                id="kehu.W001",
            )
        ]
    return []
