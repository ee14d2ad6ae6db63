"""Issue 19, the search index: the bytes of the SQLite database (its pages, free ones included, and
the WAL) hold no phone or e-mail after a rebuild that replaced an index of the old kind
(plaintext in the documents and in FTS5's segments). The whole sandbox's file and a pg_dump are
searched by tests/test_plaintext_files.py."""

from __future__ import annotations

import sqlite3
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from kehu.core.search_index.tokens import email_terms, phone_terms
from kehu.customers.models import Customer
from kehu.search.selectors import search_for

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's file")


def _raw_bytes(tmp_path: Path) -> bytes:
    """The database as its file holds it after a checkpoint: the file and its -wal when the test
    database is a file (KEHU_TEST_SQLITE_NAME), else a page-for-page copy of the in-memory
    database made with SQLite's backup API (free pages included, unlike VACUUM INTO)."""
    connection.ensure_connection()
    raw = connection.connection
    name = connection.settings_dict["NAME"]
    if name and "memory" not in str(name) and Path(name).exists():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(FULL)")
        wal = Path(f"{name}-wal")
        return Path(name).read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    copy = tmp_path / "copy.sqlite3"
    target = sqlite3.connect(copy)
    raw.backup(target)
    target.close()
    return copy.read_bytes()


OLD_PHONE, OLD_EMAIL = "13987650001", "old.index.marker@plain.cn"


def _write_an_old_document() -> int:
    """A document as the index wrote them before issue 19: the phone and e-mail in its text
    (and so in the FTS5 trigram segments)."""
    customer = Customer.objects.order_by("pk").first()
    assert customer is not None
    text = f"旧索引测试\n{OLD_PHONE}\n{OLD_EMAIL}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM core_searchdocument")
        pk = int(cursor.fetchone()[0]) + 1
        cursor.execute(
            "INSERT INTO core_searchdocument (id, kind, object_id, customer_id, owner, team, "
            "status, title, subtitle, name_key, pinyin, initials, codes, tags, text, grams, "
            "tokens) VALUES (%s, 'contact', %s, %s, NULL, NULL, '', '旧', '', '', '', '', %s, "
            "'', %s, '', '')",
            [pk, 10**9, customer.pk, OLD_PHONE, text],
        )
        cursor.execute("INSERT INTO search_fts(rowid, text, scope) VALUES(%s, %s, '')", [pk, text])
    return pk


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_rebuild_with_vacuum_leaves_no_old_plaintext_in_the_file(
    tmp_path: Path, customer_factory: Any, rep: Any
) -> None:
    customer_factory(name="重建索引测试有限公司", phone="13987650002")
    _write_an_old_document()
    assert OLD_EMAIL.encode() in _raw_bytes(tmp_path)  # the old index, as a file shows it
    out = StringIO()
    call_command("search_reindex", "--no-progress", "--vacuum", stdout=out)
    assert "Database vacuumed." in out.getvalue()
    data = _raw_bytes(tmp_path)
    for value in (OLD_PHONE, OLD_EMAIL, "old.index.marker"):
        assert value.encode() not in data, value
    # Rebuilt from the records: found by the blind terms, not by a plaintext copy.
    assert search_for(rep, "13987650002").total == 1
    assert search_for(rep, "0002").total == 1


def test_the_terms_differ_from_the_values_and_between_fields() -> None:
    terms = phone_terms("+8613912342166")
    assert len(terms) == 1 + 8 + 7  # the number, its prefixes of 3-10 digits, suffixes of 4-10
    assert all(t.startswith("h") and len(t) == 17 and "2166" not in t for t in terms)
    assert set(terms).isdisjoint(email_terms("13912342166@qq.com"))
