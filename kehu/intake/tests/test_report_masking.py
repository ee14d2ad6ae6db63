"""Issue 14.17: an import's reports mask for the viewer and never name a customer the importer
cannot see (the dry run named another team's duplicates; the data steward read other users'
failed.csv with whole phone numbers)."""

from __future__ import annotations

import csv
import io
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from kehu.accounts.models import Role
from kehu.conftest import make_user
from kehu.intake.models import ImportRun

from .helpers import standard_row, write_csv

pytestmark = pytest.mark.django_db

HIDDEN = "a customer you cannot see", "你无权查看的客户"


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


@pytest.fixture
def steward(db: Any) -> Any:
    return make_user("steward", Role.STEWARD, None)


def _import(path: Path, *args: str) -> None:
    call_command("import", str(path), *args, stdout=StringIO())


def _report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("on_duplicate", ["update", "skip"])
def test_a_dry_run_does_not_name_a_customer_the_importer_cannot_see(
    tmp_path: Path, rep: Any, outsider: Any, customer_factory: Any, on_duplicate: str
) -> None:
    theirs = customer_factory(
        actor=outsider, name="另一团队的客户有限公司", credit_code="91330100MA2B3C4D5N"
    )
    mine = customer_factory(name="我自己的客户有限公司", credit_code="91440300708461136T")
    rows = [
        standard_row(1, 统一社会信用代码=theirs.credit_code, 客户名称="另一团队的客户有限公司"),
        standard_row(2, 统一社会信用代码=mine.credit_code, 客户名称="我自己的客户有限公司"),
    ]
    source = write_csv(tmp_path / "c.csv", rows)
    report = tmp_path / "dry.csv"
    _import(
        source,
        "--dry-run",
        "--user",
        "rep",
        "--on-duplicate",
        on_duplicate,
        "--report",
        str(report),
    )
    text = report.read_text(encoding="utf-8-sig")
    assert theirs.customer_no not in text
    lines = _report(report)
    assert lines[0]["customer_no"] == "" and any(h in lines[0]["note"] for h in HIDDEN)
    assert lines[1]["customer_no"] == mine.customer_no


def test_failed_rows_and_the_report_are_masked_for_anyone_but_the_importer(
    tmp_path: Path, client: Any, api: Any, rep: Any, steward: Any, admin_user: Any
) -> None:
    rows = [
        standard_row(1),
        standard_row(2, 客户名称="", 决策人联系方式="13912342166", 邮箱="buyer.wang@jiayi.cn"),
    ]
    _import(write_csv(tmp_path / "c.csv", rows), "--user", "rep")
    run = ImportRun.objects.get()
    assert run.created_by == rep
    client.force_login(rep)  # the importer gets their own file back
    failed = _csv(client.get(f"/imports/{run.pk}/failed.csv"))
    assert failed[0]["决策人联系方式"] == "13912342166"
    assert failed[0]["邮箱"] == "buyer.wang@jiayi.cn"
    for user in (steward,):
        client.force_login(user)
        for url in (f"/imports/{run.pk}/failed.csv", f"/api/v1/imports/{run.pk}/failed.csv"):
            failed = _csv(client.get(url))
            assert failed[0]["决策人联系方式"] == "139****2166"
            assert failed[0]["邮箱"] == "b***@jiayi.cn"
            assert failed[0]["外部编号"] == "EXT00000002"  # what is not contact detail stays
            assert "客户名称" in failed[0]["错误说明"]
    client.force_login(admin_user)  # administrators see contact details whole everywhere
    assert _csv(client.get(f"/imports/{run.pk}/failed.csv"))[0]["决策人联系方式"] == "13912342166"


def test_messages_naming_a_phone_are_masked_in_the_report(
    tmp_path: Path, client: Any, rep: Any, steward: Any
) -> None:
    rows = [standard_row(1, 决策人联系方式="74103153", 客户名称="")]
    _import(write_csv(tmp_path / "c.csv", rows), "--user", "rep")
    run = ImportRun.objects.get()
    client.force_login(rep)
    own = _csv(client.get(f"/imports/{run.pk}/report.csv"))[0]["错误"]
    assert "74103153" in own
    client.force_login(steward)
    masked = _csv(client.get(f"/imports/{run.pk}/report.csv"))[0]["错误"]
    assert "74103153" not in masked and "741*3153" in masked


def test_the_dry_run_preview_is_masked_for_anyone_but_the_importer(
    tmp_path: Path, client: Any, api: Any, rep: Any, steward: Any
) -> None:
    rows = [standard_row(1, 决策人联系方式="74103153")]
    _import(write_csv(tmp_path / "c.csv", rows), "--dry-run", "--user", "rep")
    run = ImportRun.objects.get()
    own = api.login(rep).get(f"/api/v1/imports/{run.pk}").json()["preview"]
    assert "74103153" in str(own["problems"])
    for response in (
        api.login(steward).get(f"/api/v1/imports/{run.pk}"),
        client.get(f"/imports/{run.pk}/"),
    ):
        text = response.content.decode()
        assert response.status_code == 200 and "74103153" not in text and "741*3153" in text
    run.refresh_from_db()
    assert "74103153" in str(run.preview)  # what is stored stays whole: only the view masks


def test_a_units_steward_sees_only_the_units_imports(
    api: Any, client: Any, rep: Any, outsider: Any, team_east: Any, tmp_path: Path
) -> None:
    """Issue 20: a data steward limited to a business unit reads the imports of its members."""
    unit_steward = make_user("east-steward", Role.STEWARD, None, steward_unit=team_east)
    _import(write_csv(tmp_path / "a.csv", [standard_row(1)]), "--dry-run", "--user", "rep")
    _import(write_csv(tmp_path / "b.csv", [standard_row(2)]), "--dry-run", "--user", "outsider")
    east = ImportRun.objects.get(created_by=rep)
    south = ImportRun.objects.get(created_by=outsider)
    api.login(unit_steward)
    assert api.get(f"/api/v1/imports/{east.pk}").status_code == 200
    assert api.get(f"/api/v1/imports/{south.pk}").status_code == 404
    client.force_login(unit_steward)
    assert client.get(f"/imports/{south.pk}/").status_code == 404
    assert client.get(f"/imports/{south.pk}/failed.csv").status_code == 404
