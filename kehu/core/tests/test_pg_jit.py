"""Kehu's PostgreSQL connections run without JIT compilation (KEHU_PG_JIT keeps the server's):
at a million customers the planner's cost estimates made PostgreSQL spend seconds compiling
the analyses' short queries (docs/PERFORMANCE.md, issue 18)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_postgresql_connections_run_without_jit():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
