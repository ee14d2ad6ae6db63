"""The import's fast path gives exactly what customer_clean gives, row by row."""

from __future__ import annotations

from pathlib import Path

import pytest

from kehu.intake.rows import CleanMemo, Dictionaries, clean_row
from kehu.intake.validators import PRESETS, mapping_for_headers

from .helpers import generated_rows, standard_row

pytestmark = pytest.mark.django_db


def _generated(tmp_path: Path, companies: int) -> list[dict[str, str]]:
    return generated_rows(tmp_path, companies, seed=7)


def _edge_rows() -> list[dict[str, str]]:
    """Rows breaking each grouped rule, alone and together with per-row rules."""
    variants = [
        {"年合作预算": "abc"},
        {"年合作预算": "-5"},
        {"年合作预算": "8万"},
        {"客户规模": "巨型"},
        {"客户状态": "什么"},
        {"首次接触时间": "2025-13-45"},
        {"首次接触时间": "March 5, 2025"},
        {"省份": "省" * 60},
        {"城市": "市" * 51, "客户名称": ""},
        {"客户名称": "", "决策人联系方式": "123", "客户规模": "巨型"},
        {"邮箱": "not-an-email", "首次接触时间": "bad", "年合作预算": "x"},
        {"统一社会信用代码": "91440300MA5XXXXXXX", "客户状态": "成交"},
        {"关键决策人姓名": "", "决策人联系方式": "13800138000"},
        {"客户地址": "", "决策人联系方式": "", "邮箱": ""},
        {"所属行业": "不存在", "年合作预算": "1e99"},
    ]
    return [standard_row(n, **v) for n, v in enumerate(variants, start=1)]


def test_fast_path_equals_customer_clean(tmp_path):
    rows = _generated(tmp_path, 18_000) + _edge_rows()
    assert len(rows) >= 20_000
    headers = list(rows[0])
    source, preset = PRESETS["standard"]
    mapping = mapping_for_headers(headers, preset)
    dictionaries = Dictionaries()
    memo = CleanMemo()
    failed = 0
    for number, raw in enumerate(rows, start=2):
        fast = clean_row(
            number, raw, mapping, dictionaries, actor=None, external_source=source, memo=memo
        )
        plain = clean_row(number, raw, mapping, dictionaries, actor=None, external_source=source)
        assert list(fast.errors.items()) == list(plain.errors.items()), number  # order too
        assert fast.values == plain.values, number
        assert (fast.maker, fast.payload, fast.external_id) == (
            plain.maker,
            plain.payload,
            plain.external_id,
        ), number
        failed += bool(plain.errors)
    assert failed > 100  # the generated file has broken values: both paths saw them


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "", "budget_band": "<10万", "budget_amount": "80万", "province": "x" * 51},
        {"name": "甲", "budget_band": "nonsense", "budget_amount": "80万", "source": ""},
        {"name": "", "budget_band": ">50万", "budget_amount": "1", "status": "bad"},
        {"budget_band": "<10万", "budget_amount": "bad", "region": "广东/深圳/南山"},
        {
            "name": "乙",
            "kind": "个人",
            "email": "bad",
            "decision_maker": {"name": "", "mobile": "1"},
        },
    ],
)
def test_memo_keeps_customer_clean_error_order(payload):
    from kehu.core.errors import ValidationFailed
    from kehu.customers.services import customer_clean

    def outcome(clean):
        try:
            return clean(), None
        except ValidationFailed as exc:
            return None, list(exc.errors.items())

    memo = CleanMemo()
    assert memo.covers(payload)
    expected = outcome(lambda: customer_clean(dict(payload), actor=None, creating=True))
    for _twice in range(2):  # computed, then remembered
        assert outcome(lambda: memo.clean(dict(payload), None)) == expected


def test_documents_built_before_the_keys_are_what_search_index_builds(tmp_path):
    """The workers build search documents with a stand-in number; once keyed they are equal."""
    from kehu.core.models import SearchDocument
    from kehu.core.search_index import contact_document, customer_document, search_prepare
    from kehu.intake.pipeline import Context, keyed, pending_documents, prepare

    rows = _generated(tmp_path, 2_000)
    headers = list(rows[0])
    source, preset = PRESETS["standard"]
    mapping = {h: t for h, t in mapping_for_headers(headers, preset).items() if t != "owner"}
    context = Context(
        mapping=mapping,  # without the owners (the generator's reps are not users here)
        dictionaries=Dictionaries(),
        actor=None,
        external_source=source,
        created_by=None,
        memo=CleanMemo(),
    )
    _cleaned, built = prepare(list(enumerate(rows, start=2)), context)
    documents = pending_documents(built)
    # The workers compute the search terms before the number is known (search_prepare).
    early = {
        number: [search_prepare(d) for d in pair if d is not None]
        for number, pair in documents.items()
    }
    assert len(documents) == len(built) > 1_500
    fields = [f.attname for f in SearchDocument._meta.concrete_fields]
    for key, (number, (customer, maker)) in enumerate(built.items(), start=1):
        customer.pk, customer.customer_no = key, f"CX202611{key:04d}"
        if maker is not None:
            maker.pk = key + 100_000
        got = keyed(documents[number], customer, maker)
        want = [customer_document(customer)]
        if maker is not None:
            want.append(contact_document(maker, customer=customer))
        assert [[getattr(d, f) for f in fields] for d in got] == [
            [getattr(d, f) for f in fields] for d in want
        ], number
        assert early[number] == [search_prepare(d) for d in want], number
