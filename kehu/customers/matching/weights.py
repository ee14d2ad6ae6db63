"""The matching model: fields, levels, weights, blocking rules, and Splink's settings from them.

Each comparison level carries a match weight (log2 of m/u, the Bayes factor): what agreeing or
disagreeing at that level says about two records being one customer. The weights are the
explanation a steward sees ("same mobile +14, names differ -5"). They were set by hand from the
meaning of each field and checked against labelled data (bench/dedupe.py for companies,
bench/people.py for individuals). The scan (Splink, kehu.dedupe.scan) runs the SQL of each level;
the on-save check (pairwise.compare) runs the same levels in Python. Both read the same feature
columns (features.py), so both explain a pair alike.

Companies are compared by name, credit code, city, phones, e-mails, contacts and address;
individual customers (kind=individual) by their own name (given and family name in either
order, initials, nicknames, typos) and the parts of their address. A field a record does not
have is "missing" (weight 0).

The identity field is a rule, not evidence: the same registered name, credit code, mobile or
e-mail always makes a pair a probable duplicate (issue 14.4), whatever else differs. A name
without a legal form (华信, 乐思) is no registered name, and a role mailbox (info@, sales@) is no
identity: the branches of a group share it. Its weight
(+60) outweighs every disagreement the other fields can add up to (-57 at most: an individual
with another name, address, credit code and phone) plus the prior (-8) and the threshold (+3.2).
An individual with another name is never a duplicate by the address alone (-30): that is a
family member or a flatmate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PRIOR_WEIGHT = -8.0  # log2 prior odds; with the default threshold (0.9) a pair needs >= 11.2


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
    optional: bool = False  # left out of explanations when it says nothing (weight 0)


def _null(*columns: str) -> Level:
    cond = " OR ".join(f"l.{c} IS NULL OR r.{c} IS NULL" for c in columns)
    return Level("missing", cond, 0.0, is_null=True)


def _empty_list(*columns: str) -> Level:
    cond = " OR ".join(
        f"l.{c} IS NULL OR r.{c} IS NULL OR len(l.{c}) = 0 OR len(r.{c}) = 0" for c in columns
    )
    return Level("missing", cond, 0.0, is_null=True)


def _fuzzy(a: str, b: str, *, edits: int, jaro: float) -> str:
    return (
        f"(damerau_levenshtein({a}, {b}) <= {edits} OR jaro_winkler_similarity({a}, {b}) >= {jaro})"
    )


# --- A person's name, either order: each pair of words scores 3 same, 2 nickname / initial /
# typo, 1 similar, 0 different, -1 missing; the better of the two alignments decides the level.
NAME_TYPO_EDITS, NAME_TYPO_JARO, NAME_SIMILAR_JARO = 1, 0.92, 0.85


def _word_score(a: str, b: str) -> str:
    x, y = f"l.p_{a}", f"r.p_{b}"
    return (
        f"(CASE WHEN {x} = '' OR {y} = '' THEN -1 WHEN {x} = {y} THEN 3 "
        f"WHEN l.p_{a}_nick = r.p_{b}_nick THEN 2 "
        f"WHEN (length({x}) = 1 OR length({y}) = 1) AND {x}[1] = {y}[1] THEN 2 "
        f"WHEN {_fuzzy(x, y, edits=NAME_TYPO_EDITS, jaro=NAME_TYPO_JARO)} THEN 2 "
        f"WHEN jaro_winkler_similarity({x}, {y}) >= {NAME_SIMILAR_JARO} THEN 1 ELSE 0 END)"
    )


_FF, _LL = _word_score("first", "first"), _word_score("last", "last")
_FL, _LF = _word_score("first", "last"), _word_score("last", "first")
_ALIGNED = ((_FF, _LL), (_FL, _LF))


def _either(template: str) -> str:
    return "(" + " OR ".join(template.format(a=a, b=b) for a, b in _ALIGNED) + ")"


PERSON_NAME_LEVELS = (
    ("same name", "l.p_key = r.p_key", 13.0),
    ("same name, typo, initial or nickname", _either("({a} >= 2 AND {b} >= 2)"), 12.0),
    ("one name the same, the other similar", _either("({a} >= 2 AND {b} = 1)"), 8.0),
    ("one name the same, the other missing", _either("({a} = 3 AND {b} = -1)"), 6.0),
    ("one name the same", f"greatest({_FF}, {_LL}, {_FL}, {_LF}) = 3", 4.0),
    ("one name similar", f"greatest({_FF}, {_LL}, {_FL}, {_LF}) = 2", 3.0),
)


def _text_levels(column: str, same: float, typo: float, other: float) -> tuple[Level, ...]:
    return (
        _null(column),
        Level("same", f"l.{column} = r.{column}", same),
        Level("typo", _fuzzy(f"l.{column}", f"r.{column}", edits=2, jaro=0.9), typo),
        Level("different", "ELSE", other),
    )


IDENTITY_SQL = (
    "l.credit_code = r.credit_code OR l.name_full = r.name_full "
    "OR list_has_any(l.mobiles, r.mobiles) "
    "OR list_has_any(l.personal_emails, r.personal_emails)"
)

FIELDS: tuple[Field, ...] = (
    Field(
        "identity",
        "same registered name, credit code, mobile or e-mail",
        (
            Level("shared", IDENTITY_SQL, 60.0),
            Level("none", "ELSE", 0.0),
        ),
        optional=True,
    ),
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
            Level("same registered name", "l.name_full = r.name_full", 13.0),
            Level("same", "l.name_core = r.name_core", 12.0),
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
            Level(
                "missing",
                "(len(l.phones) = 0 AND len(l.phone_partials) = 0) "
                "OR (len(r.phones) = 0 AND len(r.phone_partials) = 0)",
                0.0,
                is_null=True,
            ),
            Level("same mobile", "list_has_any(l.mobiles, r.mobiles)", 14.0),
            Level("same number", "list_has_any(l.phones, r.phones)", 9.0),
            Level(
                "same number, other extension", "list_has_any(l.phone_bases, r.phone_bases)", 6.0
            ),
            Level(
                "fits a masked number",
                "list_has_any(l.phone_partials, r.phone_masks) "
                "OR list_has_any(r.phone_partials, l.phone_masks)",
                5.0,
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
    # --- Individual customers (kind=individual); missing for companies.
    Field(
        "person_name",
        "name (person)",
        (
            _null("p_key"),
            *(Level(label, sql, weight) for label, sql, weight in PERSON_NAME_LEVELS),
            Level("different", "ELSE", -30.0),  # another person at the address
        ),
        optional=True,
    ),
    Field(
        "house_number",
        "house number",
        (
            _null("p_number"),
            Level("same", "l.p_number = r.p_number", 6.0),
            Level("different", "ELSE", -2.5),
        ),
        optional=True,
    ),
    Field(
        "street",
        "street",
        (
            _null("p_street"),
            *_text_levels("p_street", 10.0, 8.0, -4.0)[1:3],
            Level(
                "street and building line swapped",
                "l.p_street = r.p_extra OR l.p_extra = r.p_street",
                8.0,
            ),
            Level("different", "ELSE", -4.0),
        ),
        optional=True,
    ),
    Field("locality", "suburb or town", _text_levels("p_locality", 9.0, 8.0, -3.5), optional=True),
    Field(
        "postcode",
        "postcode",
        (
            _null("p_postcode"),
            Level("same", "l.p_postcode = r.p_postcode", 9.0),
            Level(
                "one digit or two swapped",
                "damerau_levenshtein(l.p_postcode, r.p_postcode) <= 1",
                4.0,
            ),
            Level("different", "ELSE", -4.5),
        ),
        optional=True,
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
    (("p_blocks",), ("p_blocks",)),  # individuals: features.person_blocks
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


FIELD_BY_NAME = {f.name: f for f in FIELDS}
WEIGHTS = {f.name: {lv.label: lv.weight for lv in f.levels} for f in FIELDS}


def level_for_weight(field: str, weight: float) -> tuple[str, float]:
    """(label, weight) of the level of `field` that gave this match weight (0: missing)."""
    levels = FIELD_BY_NAME[field].levels
    best = min(levels, key=lambda lv: abs(lv.weight - weight))
    return best.label, best.weight


def explain_levels(levels: dict[str, float]) -> list[dict[str, Any]]:
    """[{field, label, level, weight}] per compared field, strongest evidence first.

    Fields that only some records have (a person's name, the identity rule) are shown when
    they said something.
    """
    rows: list[dict[str, Any]] = []
    for spec in FIELDS:
        label, weight = level_for_weight(spec.name, levels.get(spec.name, 0.0))
        if spec.optional and weight == 0:
            continue
        rows.append({"field": spec.name, "label": spec.label, "level": label, "weight": weight})
    rows.sort(key=lambda r: -abs(r["weight"]))
    return rows
