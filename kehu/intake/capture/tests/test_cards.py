"""Business-card OCR: 20 cards drawn in the test with a CJK font, ≥ 90% of fields read right."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest

from kehu.core.validators import parse_phone
from kehu.intake.capture.cards import parse_card
from kehu.intake.capture.tests.cardgen import FONT, cards

needs_font = pytest.mark.skipif(not os.path.exists(FONT), reason="fonts-wqy-microhei missing")


def _expected(key: str, value: str) -> str:
    return parse_phone(value)[0] if value and key in ("mobile", "phone") else value


@needs_font
def test_twenty_cards_at_least_ninety_percent_of_fields() -> None:
    from kehu.intake.capture.cards import read_card

    right = total = 0
    misses = []
    layouts = set()
    for person, layout, image in cards():
        layouts.add(layout)
        got = read_card(image).as_json()
        for key, value in person.items():
            total += 1
            if got[key] == _expected(key, value):
                right += 1
            else:
                misses.append((layout, key, value, got[key]))
    assert len(layouts) >= 4 and total == 160
    assert right / total >= 0.9, misses


def test_parse_card_lines_chinese_and_english() -> None:
    card = parse_card(
        [
            "张伟",
            "销售总监",
            "上海华东精密机械有限公司",
            "手机:138 1234 5678",
            "传真:021-62345679",
            "电话:021-62345678",
            "邮箱:zhangwei@hdjm.com.cn",
            "地址:上海市浦东新区张江路100号",
            "www.hdjm.com.cn",
        ]  # fmt: skip
    )
    assert card.as_json() == {
        "name": "张伟", "title": "销售总监", "company": "上海华东精密机械有限公司",
        "mobile": "+8613812345678", "phone": "+862162345678", "email": "zhangwei@hdjm.com.cn",
        "address": "上海市浦东新区张江路100号", "website": "www.hdjm.com.cn",
    }  # fmt: skip
    english = parse_card(["David Chen", "Sales Director", "Everbright Trading Co., Ltd",
                          "M: +86 136 1111 2222", "E: david@everbright.com"])  # fmt: skip
    assert english.name == "David Chen" and english.title == "Sales Director"
    assert english.company == "Everbright Trading Co., Ltd"
    assert english.mobile == "+8613611112222" and english.address == ""


@needs_font
@pytest.mark.django_db
def test_card_api_answers_fields_and_saves_nothing(client: Any, rep: Any) -> None:
    from kehu.customers.models import Contact, Customer

    person, _layout, image = cards()[0]
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "card.png"
    client.force_login(rep)
    response = client.post("/api/v1/capture/card", {"image": buffer})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"name", "title", "company", "mobile", "phone", "email", "address",
                         "website"}  # fmt: skip
    assert body["name"] == "张伟" and body["email"] == person["email"]
    assert Customer.objects.count() == 0 and Contact.objects.count() == 0
    saved = client.post(
        "/api/v1/capture/card/save",
        {k: v for k, v in body.items()},
        content_type="application/json",
    )
    assert saved.status_code == 201, saved.content
    customer = Customer.objects.get(customer_no=saved.json()["customer_no"])
    assert customer.name == person["company"]
    assert customer.contacts.get().email == person["email"]


@pytest.mark.django_db
def test_card_api_rejects_a_non_image(client: Any, rep: Any) -> None:
    from kehu.customers.models import Contact, Customer

    client.force_login(rep)
    blob = io.BytesIO(b"not an image")
    blob.name = "x.png"
    response = client.post("/api/v1/capture/card", {"image": blob})
    assert response.status_code == 422
    assert "image" in response.json()["errors"], response.content
    assert Customer.objects.count() == 0 and Contact.objects.count() == 0
