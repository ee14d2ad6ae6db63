"""Import rows keep no personal value in clear (issue 19, kehu.core.sealed): a failed row's cells,
its messages and a dry run's preview are sealed in the database, and the importer still gets
the cells back whole to fix them."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from kehu.core import crypto
from kehu.intake.models import ImportRow, ImportRun

from .helpers import standard_row, write_csv

pytestmark = pytest.mark.django_db

PHONE, EMAIL = "13912342166", "buyer.wang@jiayi.cn"


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def _stored(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return "\n".join(str(cell) for row in cursor.fetchall() for cell in row)


def test_failed_cells_messages_and_the_preview_are_sealed_and_read_back_whole(
    tmp_path: Path, client: Any, rep: Any
) -> None:
    rows = [
        standard_row(1),
        standard_row(2, 客户名称="", 决策人联系方式=PHONE, 邮箱=EMAIL),
        standard_row(3, 决策人联系方式="74103153", 客户名称=""),
    ]
    source = write_csv(tmp_path / "c.csv", rows)
    call_command("import", str(source), "--dry-run", "--user", "rep", stdout=StringIO())
    call_command("import", str(source), "--user", "rep", stdout=StringIO())
    for table in ("intake_importrow", "intake_importrun"):
        text = _stored(table)
        for value in (PHONE, EMAIL, "74103153", "buyer3@example.com"):
            assert value not in text, (table, value)
    failed = ImportRow.objects.filter(outcome="failed").order_by("row_number")
    stored = failed.values_list("raw", flat=True)
    assert [row["邮箱"] for row in stored] == [EMAIL, "buyer3@example.com"]
    assert "74103153" in str(failed[1].errors)  # the message quoting the cell, opened
    assert "74103153" in str(ImportRun.objects.order_by("pk").first().preview)  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST(raw AS text) FROM intake_importrow WHERE outcome = 'failed'")
        sealed = [text for (text,) in cursor.fetchall()]
    assert all(crypto.version_of(text.strip('"')) == crypto.keyring().current for text in sealed)
    run = ImportRun.objects.order_by("-pk").first()
    assert run is not None
    client.force_login(rep)
    response = client.get(f"/imports/{run.pk}/failed.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert PHONE in text and EMAIL in text
