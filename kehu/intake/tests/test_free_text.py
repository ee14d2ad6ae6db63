"""Free text keeps what people wrote: an imported 备注 keeps its lines and its Chinese punctuation
(，：（）), as the customer form and the API keep them; only full-width letters and digits become
ASCII. Names and codes are still folded to half-width (kehu.core.text.clean_text)."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.customers.models import Customer

from .helpers import HEADERS, run_import, standard_row, write_csv

pytestmark = pytest.mark.django_db

NOTE = "第一次拜访，客户说：\n下月再约（王总出差）！\n预算约ＡＢ１２万"
KEPT = "第一次拜访，客户说：\n下月再约（王总出差）！\n预算约AB12万"


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Any) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def _import(path: Any) -> str:
    return run_import(str(path), "--user", "rep")[-1]


def test_an_imported_note_keeps_its_lines_and_punctuation(tmp_path: Any, rep: Any) -> None:
    path = write_csv(
        tmp_path / "notes.csv", [standard_row(1, 备注=NOTE)], headers=[*HEADERS, "备注"]
    )
    assert _import(path).startswith("created=1 ")
    assert Customer.objects.get().notes == KEPT
    assert _import(path).startswith("created=0 updated=0 ")  # the same file again: no change


def test_the_api_keeps_a_notes_punctuation_and_folds_the_name(api: Any, rep: Any) -> None:
    body = (
        api.login(rep)
        .post(
            "/api/v1/customers",
            {
                "name": "全角测试（深圳）有限公司",
                "phone": "0755-86001299",
                "notes": NOTE,
            },
        )
        .json()
    )
    customer = Customer.objects.get(customer_no=body["customer_no"])
    assert customer.notes == KEPT
    assert customer.name == "全角测试(深圳)有限公司"  # a name is a key: folded as before
