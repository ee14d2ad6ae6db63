"""PostgreSQL only: the trigram indexes hold the caller's scope, and a reindex restores them."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from kehu.search import engine_parts, engines
from kehu.search.selectors import search_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes"),
]


def gin_indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'core_searchdocument' AND indexdef LIKE '%USING gin%'"
        )
        return dict(cursor.fetchall())


def test_trigram_indexes_carry_owner_and_team() -> None:
    indexes = gin_indexes()
    for kind in ("customer", "contact", "interaction"):
        definition = indexes[f"searchdoc_scope_trgm_{kind}"]
        assert "(owner, team, text gin_trgm_ops)" in definition
        assert f"'{kind}'" in definition
    assert "searchdoc_grams_fts" in indexes


def test_reindex_drops_and_recreates_the_gin_indexes(company: Any, rep: Any) -> None:
    before = gin_indexes()
    call_command("search_reindex", "--no-progress", stdout=StringIO())
    assert gin_indexes() == before
    assert search_for(rep, "tengxun").total == 1


def test_rep_query_is_answered_inside_the_index(company: Any, rep: Any, monkeypatch: Any) -> None:
    """The owner is an index condition (a bigint: btree_gin has no int8 = int4 operator)."""
    plans: list[str] = []
    run = engine_parts._run

    def explain(selects: dict[str, list[engine_parts.Select]], cap: int) -> dict[str, list[int]]:
        for kind, arms in selects.items():
            if kind != "contact":
                continue
            for sql, params in arms:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL enable_seqscan = off")
                    cursor.execute("SET LOCAL enable_indexscan = off")
                    cursor.execute(f"EXPLAIN {sql}", params)
                    plans.append("\n".join(row[0] for row in cursor.fetchall()))
        return run(selects, cap)

    with connection.cursor() as cursor:  # a few rows: leave the planner no cheaper way
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("ALTER TABLE core_searchdocument DROP CONSTRAINT searchdoc_unique_object")
    monkeypatch.setattr(engines, "_run", explain)
    assert search_for(rep, "jianguo").total == 1
    assert "searchdoc_scope_trgm_contact" in plans[0]
    assert f"Index Cond: ((owner = '{rep.pk}'::bigint)" in plans[0]
