"""The `reporting` database: analyses read from it, so a read replica can carry them.

settings.KEHU_REPORTING_DATABASE_URL (env var of the same name) adds a `reporting` alias to
DATABASES; without it the alias falls back to the default database. No router: only the
analyses' reads go there, through `reporting_alias()` (`queryset.using(reporting_alias())`).
"""

from __future__ import annotations

from django.conf import settings

REPORTING = "reporting"


def reporting_alias() -> str:
    """'reporting' when that database is configured, else 'default'."""
    return REPORTING if REPORTING in settings.DATABASES else "default"
