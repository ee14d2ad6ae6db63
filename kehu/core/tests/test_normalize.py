"""The one normaliser (kehu.core.normalize): the rules the search, the scan, the on-save check and
the import share. Company and Chinese contact rules: kehu/dedupe/tests/test_normalization.py."""

from __future__ import annotations

import pytest

from kehu.core.normalize import (
    AddressParts,
    PersonName,
    address_parts,
    compact,
    company_core,
    company_registered,
    fold,
    is_role_mailbox,
    nickname_of,
    person_name,
    phone_digits,
    pinyin_keys,
    search_normalize,
    soundex,
    unify_brackets,
)


def test_fold_width_script_case() -> None:
    assert fold("ＨＸ軟件Ｃｏ") == "hx软件co"
    assert fold("華為") == "华为"  # OpenCC's character table
    assert fold("") == ""


def test_search_normalize_cleans_and_folds() -> None:
    assert search_normalize("  騰訊\u3000科技 ") == "腾讯 科技"
    assert search_normalize(None) == ""
    assert compact("Tencent Co., Ltd.") == "TencentCoLtd"


def test_brackets_of_every_kind() -> None:
    assert unify_brackets("华信【深圳】〔王总〕（广州）") == "华信(深圳)(王总)(广州)"
    assert company_core("华信软件【深圳】有限公司") == "华信软件"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("深圳市华信软件有限公司", "深圳市華信軟件有限公司"),
        ("深圳市华信软件有限公司", " 深圳市 华信软件 有限公司 "),
        ("华信软件（深圳）有限公司", "华信软件(深圳)有限公司"),
        ("Huaxin Software Co., Ltd.", "HUAXIN SOFTWARE CO LTD"),
    ],
)
def test_same_registered_name(a: str, b: str) -> None:
    assert company_registered(a) == company_registered(b)


def test_registered_name_keeps_region_and_legal_form() -> None:
    assert company_registered("深圳市华信软件有限公司") != company_registered("华信软件有限公司")
    assert company_registered("华信软件有限公司") != company_registered("华信软件股份有限公司")


def test_a_name_without_legal_form_is_no_registered_name() -> None:
    """'华信' is a brand two companies may share; only a registered name identifies one."""
    assert company_registered("华信") == company_registered("Huaxin Software") == ""


def test_pinyin_keys_for_search() -> None:
    assert pinyin_keys("腾讯科技") == ("tengxunkeji", "txkj")
    assert pinyin_keys("tencent") == ("", "")


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("John Smith", PersonName("john", "smith")),
        ("Smith, John", PersonName("john", "smith")),  # family name first, with a comma
        ("Dr. J. O'Brien", PersonName("j", "obrien")),  # title dropped, initial kept
        ("Mary Anne Lee", PersonName("mary", "lee")),  # middle name left out
        ("王建國", PersonName("wang", "jianguo")),  # Chinese: surname first, as pinyin
        ("欧阳娜娜", PersonName("ouyang", "nana")),  # compound surname
        ("", PersonName()),
    ],
)
def test_person_name(raw: str, name: PersonName) -> None:
    assert person_name(raw) == name


def test_person_key_is_order_free() -> None:
    assert person_name("John Smith").key == person_name("Smith John").key == "john|smith"


def test_nicknames_and_soundex() -> None:
    assert nickname_of("bill") == nickname_of("william") == "william"
    assert nickname_of("zoe") == "zoe"
    assert soundex("robert") == soundex("rupert") == "r163"
    assert soundex("ashcraft") == "a261"


def test_phone_digits_for_search() -> None:
    assert phone_digits("+861088888888;ext=12") == "01088888888"
    assert phone_digits("+8613812345678") == "13812345678"
    # Every landline keeps its trunk 0, an eight-digit number behind a four-digit area code too
    # (as long as a mobile); the nationwide 400 / 800 numbers have none.
    assert phone_digits("+8675512345678;ext=123") == "075512345678"
    assert phone_digits("+8657186001234") == "057186001234"
    assert phone_digits("+8675586001234") == "075586001234"
    assert phone_digits("+862087654321") == "02087654321"
    assert phone_digits("+864008008888") == "4008008888"
    assert phone_digits("+868008101234") == "8008101234"
    assert phone_digits("0755-12345678") == "075512345678"


def test_role_mailboxes() -> None:
    assert is_role_mailbox("Info@Huaxin.com")
    assert not is_role_mailbox("wangjg@huaxin.com")


def test_western_address_parts() -> None:
    assert address_parts("52 Florey Drive, North Stirling Downs, Coolaroo QLD 2259") == (
        AddressParts("52", "floreydrive", "northstirlingdowns", "coolaroo", "2259", "qld")
    )
    assert address_parts("2/98 Latchford Barracks, Coolaroo, QLD 2259").number == "98"
    assert address_parts("52 Florey Drive Coolaroo QLD 2259").locality == "coolaroo"
    assert address_parts("广东省深圳市南山区科技路716号") == AddressParts()
