"""A matched row naming another decision maker adds that person; it never renames the current
one into them (customer_update's decision maker, shared by the API)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kehu.audit.models import AuditEntry
from kehu.contacts.models import Contact
from kehu.customers.models import Customer
from kehu.customers.services import customer_create
from kehu.intake.models import ImportRun
from kehu.intake.services import import_revert

pytestmark = pytest.mark.django_db

HEADERS = "客户名称,统一社会信用代码,关键决策人姓名,决策人职位,决策人联系方式"
NAME, CODE = "南京金陵食品有限公司", "91320100MA1XXXXX0X"


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


@pytest.fixture
def jinling(rep) -> Customer:
    return customer_create(
        actor=rep,
        data={
            "name": NAME,
            "credit_code": CODE,
            "decision_maker": {"name": "孙丽", "title": "总经理", "phone": "025-84561234"},
        },
    )


def run_import(path, *rows: str) -> list[str]:
    path.write_text("\n".join([HEADERS, *rows]) + "\n", encoding="utf-8")
    out = StringIO()
    call_command("import", str(path), "--user", "rep", stdout=out)
    return out.getvalue().strip().splitlines()


def people(customer: Customer) -> dict[str, tuple[str, str, str, str]]:
    return {
        c.name: (c.title, c.mobile, c.landline, c.decision_role)
        for c in Contact.objects.filter(customer=customer)
    }


def test_another_person_is_added_as_decision_maker_and_reimport_changes_nothing(tmp_path, jinling):
    sun = jinling.contacts.get()
    row = f"{NAME},{CODE},钱多多,采购总监,13800138777"
    lines = run_import(tmp_path / "a.csv", row)
    assert lines[-1].startswith("created=0 updated=1 ")
    assert people(jinling) == {
        "孙丽": ("总经理", "", "+862584561234", ""),
        "钱多多": ("采购总监", "+8613800138777", "", "decision_maker"),
    }
    sun.refresh_from_db()
    assert sun.name == "孙丽" and not sun.is_primary  # the same row, still her
    qian = Contact.objects.get(customer=jinling, name="钱多多")
    assert qian.is_primary
    history = AuditEntry.objects.filter(target_type__endswith="contact", target_id=str(sun.pk))
    assert history.exists()
    assert all("钱多多" not in str(entry.changes) for entry in history)
    note = ImportRun.objects.get().rows.get().note
    assert "钱多多" in note and "孙丽" in note
    assert run_import(tmp_path / "b.csv", row)[-1].startswith("created=0 updated=0 skipped=1 ")
    assert Contact.objects.filter(customer=jinling).count() == 2


def test_revert_removes_the_added_person_and_gives_back_the_role(tmp_path, rep, jinling):
    run_import(tmp_path / "a.csv", f"{NAME},{CODE},钱多多,采购总监,13800138777")
    import_revert(actor=rep, run=ImportRun.objects.get())
    sun = jinling.contacts.get()
    assert (sun.name, sun.decision_role, sun.is_primary) == ("孙丽", "decision_maker", True)


def test_a_known_contact_by_name_becomes_decision_maker(tmp_path, rep, jinling):
    from kehu.customers.services import contact_create

    contact_create(actor=rep, customer=jinling, data={"name": "钱 多多", "title": "采购"})
    lines = run_import(tmp_path / "a.csv", f"{NAME},{CODE},钱多多,采购总监,13800138777")
    assert lines[-1].startswith("created=0 updated=1 ")
    assert people(jinling) == {
        "孙丽": ("总经理", "", "+862584561234", ""),
        "钱多多": ("采购总监", "+8613800138777", "", "decision_maker"),
    }


def test_the_same_person_or_no_name_updates_the_decision_maker(tmp_path, api, rep, jinling):
    run_import(tmp_path / "a.csv", f"{NAME},{CODE},孙 丽,副总经理,13800138555")
    assert people(jinling) == {
        "孙 丽": ("副总经理", "+8613800138555", "+862584561234", "decision_maker")
    }
    response = api.login(rep).patch(
        f"/api/v1/customers/{jinling.customer_no}", {"decision_maker": {"title": "董事"}}
    )
    assert response.status_code == 200, response.content
    assert Contact.objects.filter(customer=jinling).get().title == "董事"


def test_api_decision_maker_of_another_name_is_added(api, rep, jinling):
    response = api.login(rep).patch(
        f"/api/v1/customers/{jinling.customer_no}",
        {"decision_maker": {"name": "钱多多", "title": "采购总监", "mobile": "13800138777"}},
    )
    assert response.status_code == 200, response.content
    assert people(jinling) == {
        "孙丽": ("总经理", "", "+862584561234", ""),
        "钱多多": ("采购总监", "+8613800138777", "", "decision_maker"),
    }


def test_a_typo_put_right_with_the_same_mobile_renames_the_decision_maker(api, rep, jinling):
    """The web form sends the decision maker's mobile back as it was: a name with one character
    put right is the same person, renamed; another name is another person even with it."""
    api.login(rep)
    url = f"/api/v1/customers/{jinling.customer_no}"
    assert api.patch(url, {"decision_maker": {"mobile": "13800138555"}}).status_code == 200
    response = api.patch(url, {"decision_maker": {"name": "孙莉", "mobile": "13800138555"}})
    assert response.status_code == 200, response.content
    assert people(jinling) == {
        "孙莉": ("总经理", "+8613800138555", "+862584561234", "decision_maker")
    }
    response = api.patch(url, {"decision_maker": {"name": "钱多多", "mobile": "13800138555"}})
    assert response.status_code == 200, response.content
    assert set(people(jinling)) == {"孙莉", "钱多多"}
