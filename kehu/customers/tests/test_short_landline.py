"""A landline cut short (0755-1234: four digits after the area code) is refused by field and row,
although phonenumbers calls it valid; whole landlines and service numbers behind an area code
(029-95532) are kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kehu.customers.models import Customer
from kehu.intake.tests.helpers import run_import

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers"
NAME = "深圳鹏程电子有限公司"


@pytest.mark.parametrize("number", ["0755-1234", "(0898) 1234"])
def test_a_landline_cut_short_is_refused_naming_the_field(api: Any, rep: Any, number: str) -> None:
    response = api.login(rep).post(URL, {"name": NAME, "phone": number})
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert list(errors) == ["phone"] and "7" in errors["phone"][0] and "8" in errors["phone"][0]
    contact = {"name": "李工", "landline": number}
    response = api.post(URL, {"name": NAME, "mobile": "13800138000", "decision_maker": contact})
    assert response.status_code == 422 and "decision_maker.landline" in response.json()["errors"]
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("number", "stored"),
    [("0755-86013388", "+8675586013388"), ("010-12345678", "+861012345678"),
     ("029-95532", "+862995532")],
)  # fmt: skip
def test_whole_landlines_and_service_numbers_are_kept(
    api: Any, rep: Any, number: str, stored: str
) -> None:
    response = api.login(rep).post(URL, {"name": NAME, "phone": number})
    assert response.status_code == 201, response.content
    assert Customer.objects.get().phone == stored


def test_an_imported_row_with_a_landline_cut_short_names_the_row(
    tmp_path: Path, rep: Any, settings: Any
) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"
    path = tmp_path / "short.csv"
    rows = ["客户名称,电话", f"{NAME},0755-1234", "深圳南山软件有限公司,0755-86013388"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = tmp_path / "report.csv"
    lines = run_import(str(path), "--user", rep.username, "--report", str(report))
    assert lines[-1].startswith("created=1 ") and " failed=1 " in lines[-1]
    failed = [line for line in report.read_text(encoding="utf-8-sig").splitlines()[1:]]
    assert failed[0].startswith("2,failed") and "0755-1234" in failed[0]
