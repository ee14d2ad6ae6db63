"""Each normalisation rule, on its own."""

from __future__ import annotations

import pytest

from kehu.core.normalize import (
    address_forms,
    city_from_text,
    city_key,
    company_core,
    company_key,
    email_domain,
    email_key,
    is_mobile,
    person_forms,
    person_keys,
    phone_base,
    to_simplified,
)
from kehu.customers.validators import normalize_company_name


@pytest.mark.parametrize(
    ("raw", "core"),
    [
        ("华信软件(深圳)有限公司", "华信软件"),  # region in half-width brackets
        ("华信软件（深圳）有限公司", "华信软件"),  # full-width brackets
        ("深圳市华信软件有限公司", "华信软件"),  # leading city
        ("广东省深圳市华信软件有限公司", "华信软件"),  # province and city
        ("广东深圳华信软件有限公司", "华信软件"),  # without 省/市
        ("华信软件股份有限公司", "华信软件"),  # legal forms
        ("华信软件有限责任公司", "华信软件"),
        ("华信软件集团", "华信软件"),
        ("華信軟件有限公司", "华信软件"),  # traditional -> simplified (OpenCC)
        ("华信 软件·有限公司", "华信软件"),  # spaces and punctuation
        ("ＨＸ软件有限公司", "hx软件"),  # full-width -> half-width, lower case
        ("华信软件(王总)", "华信软件"),  # a contact written into the name
        ("Huaxin Software Co., Ltd.", "huaxinruanjian"),  # English legal form, glossary
        ("Shenzhen Huaxin Software Inc.", "huaxinruanjian"),  # English city and Inc.
        ("Foshan Anke Yiliao Qixie Youxian Gongsi", "ankeyiliaoqixie"),  # pinyin legal form
        ("Acme Corp", "acme"),
    ],
)
def test_company_core(raw: str, core: str) -> None:
    assert company_core(raw) == core


def test_normalize_company_name_is_the_core() -> None:
    assert normalize_company_name("腾讯科技（深圳）有限公司") == "腾讯科技"


def test_region_alone_is_kept() -> None:
    assert company_core("北京华为") == "华为"
    assert company_core("北京市") == "北京市"  # never strips a name to nothing


def test_company_key_compares_pinyin_and_chinese() -> None:
    assert company_key("华信软件有限公司") == company_key("Huaxin Ruanjian") == "huaxinruanjian"


def test_traditional_to_simplified() -> None:
    assert to_simplified("騰訊") == "腾讯"


def test_person_simplified_and_pinyin_in_any_order() -> None:
    full, key, surname = person_forms("王建國")
    assert (full, surname) == ("王建国", "wang")
    assert person_forms("Wang Jianguo")[1].split("/")[0] == key
    assert key in person_forms("Jianguo Wang")[1].split("/")
    assert person_forms("欧阳娜娜")[2] == "ouyang"


def test_person_form_of_address_keeps_the_surname() -> None:
    assert person_keys("王总") == ([], ["wang"])
    assert person_keys("李经理") == ([], ["li"])


def test_person_name_and_title_swapped() -> None:
    assert person_keys("运营经理", "闫杰") == person_keys("闫杰", "运营经理")


def test_phone_base_and_mobile() -> None:
    assert phone_base("+8675586001234;ext=8") == "+8675586001234"
    assert is_mobile("+8613800138000")
    assert not is_mobile("+8675586001234")


def test_email_lower_case_and_free_mail_domain() -> None:
    assert email_key("Wang.JG@Example.COM") == "wang.jg@example.com"
    assert email_domain("a@huaxin.com.cn") == "huaxin.com.cn"
    assert email_domain("a@qq.com") == ""


def test_address_regions_and_variants() -> None:
    a = address_forms("广东省深圳市南山区科技路716號A座")
    b = address_forms("科技路716号a座")
    assert a == b == ("科技路716号a座", "kejilu716")
    assert address_forms("No. 716 Keji Road, Nanshan District")[1] == "kejilu716"
    assert address_forms("科技路716之2号")[1] == "kejilu716"


def test_city_keys() -> None:
    assert city_key("深圳市") == city_key("Shenzhen") == "shenzhen"
    assert city_from_text("广东省深圳市南山区") == "shenzhen"
    assert city_from_text("朝阳区建国路1号") == ""  # a district, not the city 朝阳
    assert city_from_text("No. 1 Renmin Road, Tianhe District, Guangzhou") == "guangzhou"
    assert city_from_text("星辰科技（北京）有限公司") == "beijing"  # the city in its brackets
    assert city_from_text("星辰科技(北京市)有限公司") == "beijing"
    assert city_from_text("华信(王总)") == ""  # a note in brackets is no city


def test_english_business_words_compare_with_chinese() -> None:
    assert company_key("Jingxu Network Technology Inc.") == company_key("精旭网络科技有限公司")
    assert city_key("厦门市") == city_key("Xiamen") == "xiamen"  # heteronym read as the place
