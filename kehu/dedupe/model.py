"""The matching model: blocking rules and Fellegi–Sunter comparisons (Splink settings).

Each comparison level carries a match weight (log2 of m/u, the Bayes factor): what agreeing or
disagreeing at that level says about two records being one company. The weights are the
explanation a steward sees ("same mobile +14, names differ -4"). They were set by hand from the
meaning of each field and checked against labelled data (bench/dedupe.py); the on-save check
(kehu.dedupe.services) uses the same weights, so both paths explain a pair the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PRIOR_WEIGHT = (
    -8.0
)  # log2 prior odds; with the default threshold (0.9) a pair needs evidence >= 11.2


@dataclass(frozen=True)
class Level:
    label: str
    sql: str
    weight: float
    is_null: bool = False


@dataclass(frozen=True)
class Field:
    name: str  # the comparison's output column name
    label: str  # what people read
    levels: tuple[Level, ...]


def _null(*columns: str) -> Level:
    cond = " OR ".join(f"l.{c} IS NULL OR r.{c} IS NULL" for c in columns)
    return Level("missing", cond, 0.0, is_null=True)


def _empty_list(*columns: str) -> Level:
    cond = " OR ".join(
        f"l.{c} IS NULL OR r.{c} IS NULL OR len(l.{c}) = 0 OR len(r.{c}) = 0" for c in columns
    )
    return Level("missing", cond, 0.0, is_null=True)


FIELDS: tuple[Field, ...] = (
    Field(
        "credit_code",
        "credit code",
        (
            _null("credit_code"),
            Level("same", "l.credit_code = r.credit_code", 20.0),
            Level("one typo", "levenshtein(l.credit_code, r.credit_code) <= 2", 4.0),
            Level("different", "ELSE", -10.0),
        ),
    ),
    Field(
        "name",
        "company name",
        (
            _null("name_core"),
            Level("same", "l.name_core = r.name_core", 9.0),
            Level("sound the same", "l.name_key = r.name_key", 6.0),
            Level(
                "one character apart",
                "jaro_winkler_similarity(l.name_core, r.name_core) >= 0.9",
                4.0,
            ),
            Level(
                "one contains the other",
                "length(l.name_core) >= 2 AND length(r.name_core) >= 2 AND "
                "(contains(l.name_core, r.name_core) OR contains(r.name_core, l.name_core))",
                3.5,
            ),
            Level(
                "same brand",
                "starts_with(l.name_key, r.name_brand) AND starts_with(r.name_key, l.name_brand)",
                2.5,
            ),
            Level(
                "similar (pinyin)",
                "jaro_winkler_similarity(l.name_key, r.name_key) >= 0.88",
                2.0,
            ),
            Level(
                "somewhat similar",
                "jaro_winkler_similarity(l.name_key, r.name_key) >= 0.75",
                -1.0,
            ),
            Level("different", "ELSE", -5.0),
        ),
    ),
    Field(
        "city",
        "city",
        (
            _null("city"),
            Level("same", "l.city = r.city", 1.0),
            Level("different", "ELSE", -8.0),
        ),
    ),
    Field(
        "phone",
        "phone",
        (
            _empty_list("phones"),
            Level("same mobile", "list_has_any(l.mobiles, r.mobiles)", 14.0),
            Level("same number", "list_has_any(l.phones, r.phones)", 9.0),
            Level(
                "same number, other extension", "list_has_any(l.phone_bases, r.phone_bases)", 6.0
            ),
            Level("different", "ELSE", -1.0),
        ),
    ),
    Field(
        "email",
        "e-mail",
        (
            _empty_list("emails"),
            Level("same", "list_has_any(l.emails, r.emails)", 12.0),
            Level("same domain", "list_has_any(l.domains, r.domains)", 1.0),
            Level("different", "ELSE", -1.0),
        ),
    ),
    Field(
        "contact",
        "contact person",
        (
            _empty_list("people"),
            Level("same person", "list_has_any(l.persons, r.persons)", 6.0),
            Level("same surname", "list_has_any(l.surnames, r.surnames)", 2.0),
            Level("different", "ELSE", -0.5),
        ),
    ),
    Field(
        "address",
        "address",
        (
            _null("address"),
            Level("same", "l.address = r.address", 5.0),
            Level("same street and number", "l.address_key = r.address_key", 4.0),
            Level("similar", "jaro_winkler_similarity(l.address, r.address) >= 0.9", 2.0),
            Level("different", "ELSE", -1.0),
        ),
    ),
)

BLOCKING_RULES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    # (columns that must be equal, array columns exploded first). Keys that grow with the
    # table (a city alone, a street alone) are always paired with a second key: at 1M
    # customers 'same brand in the same city' alone would propose tens of millions of pairs.
    (("credit_code",), ()),
    (("phone_bases",), ("phone_bases",)),
    (("emails",), ("emails",)),
    (("name_core",), ()),
    (("name_key",), ()),
    (("persons", "name_brand"), ("persons",)),
    (("address_key", "persons"), ("persons",)),
    (("name_brand", "address_key"), ()),
    (("address", "city"), ()),
)


_SIDE = re.compile(r"\b([lr])\.(\w+)")


def splink_settings() -> dict[str, Any]:
    """A Splink settings dictionary with every level's m and u set (no training needed)."""
    comparisons = []
    for field in FIELDS:
        levels: list[dict[str, Any]] = []
        for level in field.levels:
            entry: dict[str, Any] = {
                "sql_condition": _SIDE.sub(r"\2_\1", level.sql),
                "label_for_charts": level.label,
            }
            if level.is_null:
                entry["is_null_level"] = True
            else:
                # Only the ratio m/u matters to the score: 2 ** weight.
                if level.weight >= 0:
                    m, u = 0.9, 0.9 / (2.0**level.weight)
                else:
                    m, u = 0.9 * (2.0**level.weight), 0.9
                entry["m_probability"] = m
                entry["u_probability"] = u
            levels.append(entry)
        comparisons.append(
            {
                "output_column_name": field.name,
                "comparison_levels": levels,
                "comparison_description": field.label,
            }
        )
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 2.0**PRIOR_WEIGHT,
        "comparisons": comparisons,
        "retain_intermediate_calculation_columns": True,
        "retain_matching_columns": False,
        "additional_columns_to_retain": [],
    }


def level_for_weight(field: str, weight: float) -> tuple[str, float]:
    """(label, weight) of the level of `field` that gave this match weight (0: missing)."""
    levels = next(f for f in FIELDS if f.name == field).levels
    best = min(levels, key=lambda lv: abs(lv.weight - weight))
    return best.label, best.weight
