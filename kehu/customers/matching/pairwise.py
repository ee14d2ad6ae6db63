"""The on-save check: one record against the customers that share a blocking key with it.

compare() runs the levels of weights.FIELDS in Python (rapidfuzz for the SQL string functions),
on feature rows built by features.py, so a pair scores here what the scan (Splink on DuckDB)
scores it; find_matches() finds the candidates with indexed queries and keeps those at or above
the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler, Levenshtein

from kehu.customers.models import Customer

from .candidates import MAX_SHARED_VALUE, candidate_ids, holders
from .features import customer_features, record_features
from .weights import (
    BLOCKING_RULES,
    NAME_SIMILAR_JARO,
    NAME_TYPO_EDITS,
    NAME_TYPO_JARO,
    PERSON_NAME_LEVELS,
    PRIOR_WEIGHT,
    WEIGHTS,
    explain_levels,
)


def _jw(a: str, b: str) -> float:
    return JaroWinkler.similarity(a, b, prefix_weight=0.1)


def _fuzzy(a: str, b: str, *, edits: int, jaro: float) -> bool:
    return DamerauLevenshtein.distance(a, b) <= edits or _jw(a, b) >= jaro


def _overlap(a: list[str], b: list[str]) -> bool:
    return bool(set(a) & set(b))


def _word_score(a: dict[str, Any], b: dict[str, Any], left: str, right: str) -> int:
    """3 same, 2 nickname / initial / typo, 1 similar, 0 different, -1 missing (weights.py)."""
    x, y = a[f"p_{left}"], b[f"p_{right}"]
    if not x or not y:
        return -1
    if x == y:
        return 3
    if a[f"p_{left}_nick"] == b[f"p_{right}_nick"]:
        return 2
    if (len(x) == 1 or len(y) == 1) and x[0] == y[0]:
        return 2
    if _fuzzy(x, y, edits=NAME_TYPO_EDITS, jaro=NAME_TYPO_JARO):
        return 2
    return 1 if _jw(x, y) >= NAME_SIMILAR_JARO else 0


def _person_name_level(a: dict[str, Any], b: dict[str, Any]) -> str:
    ff, ll = _word_score(a, b, "first", "first"), _word_score(a, b, "last", "last")
    fl, lf = _word_score(a, b, "first", "last"), _word_score(a, b, "last", "first")
    aligned = ((ff, ll), (fl, lf))
    tests = {
        "same name": a["p_key"] == b["p_key"],
        "same name, typo, initial or nickname": any(x >= 2 and y >= 2 for x, y in aligned),
        "one name the same, the other similar": any(
            (x >= 2 and y == 1) for p, q in aligned for x, y in ((p, q), (q, p))
        ),
        "one name the same, the other missing": any(
            (x == 3 and y == -1) for p, q in aligned for x, y in ((p, q), (q, p))
        ),
        "one name the same": max(ff, ll, fl, lf) == 3,
        "one name similar": max(ff, ll, fl, lf) == 2,
    }
    return next((label for label, _sql, _w in PERSON_NAME_LEVELS if tests[label]), "different")


def _text_level(a: str | None, b: str | None) -> str:
    if a == b:
        return "same"
    assert a is not None and b is not None
    return "typo" if _fuzzy(a, b, edits=2, jaro=0.9) else "different"


def _identity(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(
        (a["credit_code"] and a["credit_code"] == b["credit_code"])
        or (a["name_full"] and a["name_full"] == b["name_full"])
        or _overlap(a["mobiles"], b["mobiles"])
        or _overlap(a["personal_emails"], b["personal_emails"])
    )


def _company_name_level(a: dict[str, Any], b: dict[str, Any]) -> str:
    na, nb = a["name_core"], b["name_core"]
    if a["name_full"] and a["name_full"] == b["name_full"]:  # NULL = NULL is no match in SQL
        return "same registered name"
    if na == nb:
        return "same"
    if a["name_key"] == b["name_key"]:
        return "sound the same"
    if _jw(na, nb) >= 0.9:
        return "one character apart"
    if len(na) >= 2 and len(nb) >= 2 and (na in nb or nb in na):
        return "one contains the other"
    if (
        a["name_brand"]
        and b["name_brand"]
        and a["name_key"].startswith(b["name_brand"])
        and b["name_key"].startswith(a["name_brand"])
    ):
        return "same brand"
    if _jw(a["name_key"], b["name_key"]) >= 0.88:
        return "similar (pinyin)"
    if _jw(a["name_key"], b["name_key"]) >= 0.75:
        return "somewhat similar"
    return "different"


def _levels(a: dict[str, Any], b: dict[str, Any]) -> dict[str, str | None]:
    """{field: level label, or None where a record lacks the field (missing)}."""

    def both(column: str) -> bool:
        return bool(a[column]) and bool(b[column])

    out: dict[str, str | None] = {"identity": "shared" if _identity(a, b) else "none"}
    if not both("credit_code"):
        out["credit_code"] = None
    elif a["credit_code"] == b["credit_code"]:
        out["credit_code"] = "same"
    elif Levenshtein.distance(a["credit_code"], b["credit_code"]) <= 2:
        out["credit_code"] = "one typo"
    else:
        out["credit_code"] = "different"
    out["name"] = _company_name_level(a, b) if both("name_core") else None
    out["city"] = ("same" if a["city"] == b["city"] else "different") if both("city") else None
    if not (a["phones"] or a["phone_partials"]) or not (b["phones"] or b["phone_partials"]):
        out["phone"] = None
    elif _overlap(a["mobiles"], b["mobiles"]):
        out["phone"] = "same mobile"
    elif _overlap(a["phones"], b["phones"]):
        out["phone"] = "same number"
    elif _overlap(a["phone_bases"], b["phone_bases"]):
        out["phone"] = "same number, other extension"
    elif _overlap(a["phone_partials"], b["phone_masks"]) or _overlap(
        b["phone_partials"], a["phone_masks"]
    ):
        out["phone"] = "fits a masked number"
    else:
        out["phone"] = "different"
    if not both("emails"):
        out["email"] = None
    elif _overlap(a["emails"], b["emails"]):
        out["email"] = "same"
    elif _overlap(a["domains"], b["domains"]):
        out["email"] = "same domain"
    else:
        out["email"] = "different"
    if not both("people"):
        out["contact"] = None
    elif _overlap(a["persons"], b["persons"]):
        out["contact"] = "same person"
    elif _overlap(a["surnames"], b["surnames"]):
        out["contact"] = "same surname"
    else:
        out["contact"] = "different"
    if not both("address"):
        out["address"] = None
    elif a["address"] == b["address"]:
        out["address"] = "same"
    elif a["address_key"] and a["address_key"] == b["address_key"]:
        out["address"] = "same street and number"
    elif _jw(a["address"], b["address"]) >= 0.9:
        out["address"] = "similar"
    else:
        out["address"] = "different"
    # Individuals.
    out["person_name"] = _person_name_level(a, b) if both("p_key") else None
    if both("p_number"):
        out["house_number"] = "same" if a["p_number"] == b["p_number"] else "different"
    else:
        out["house_number"] = None
    if not both("p_street"):
        out["street"] = None
    else:
        out["street"] = _text_level(a["p_street"], b["p_street"])
        if out["street"] == "different" and (
            a["p_street"] == b["p_extra"] or a["p_extra"] == b["p_street"]
        ):
            out["street"] = "street and building line swapped"
    out["locality"] = _text_level(a["p_locality"], b["p_locality"]) if both("p_locality") else None
    if not both("p_postcode"):
        out["postcode"] = None
    elif a["p_postcode"] == b["p_postcode"]:
        out["postcode"] = "same"
    elif DamerauLevenshtein.distance(a["p_postcode"], b["p_postcode"]) <= 1:
        out["postcode"] = "one digit or two swapped"
    else:
        out["postcode"] = "different"
    return out


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, float]:
    """{field: match weight} for two feature rows; mirrors the SQL levels of weights.FIELDS."""
    return {
        field: WEIGHTS[field][label] if label is not None else 0.0
        for field, label in _levels(a, b).items()
    }


def probability(levels: dict[str, float]) -> tuple[float, float]:
    """(match probability, match weight) from the field weights and the prior."""
    weight = PRIOR_WEIGHT + sum(levels.values())
    odds = 2.0**weight
    return odds / (1 + odds), weight


@dataclass
class Match:
    customer: Customer
    score: float
    weight: float
    levels: dict[str, float]

    def explanation(self) -> list[dict[str, Any]]:
        return explain_levels(self.levels)


# --- Candidates.


def without_common_values(row: dict[str, Any], held: dict[str, set[int]], own_id: int) -> None:
    """Drop phones and e-mails more than MAX_SHARED_VALUE customers share (as the scan does)."""
    own = {own_id} if own_id else set()
    common = {value for value, ids in held.items() if len(ids | own) > MAX_SHARED_VALUE}
    if not common:
        return
    for column in ("phones", "phone_bases", "mobiles"):
        row[column] = [p for p in row[column] if p.split(";", 1)[0] not in common]
    row["emails"] = [e for e in row["emails"] if e not in common]
    row["personal_emails"] = [e for e in row["personal_emails"] if e not in common]


def blocked_together(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether the scan would compare these two rows: they share a key of a blocking rule."""
    for columns, exploded in BLOCKING_RULES:
        for column in columns:
            x, y = a[column], b[column]
            if column in exploded:
                if not x or not y or not set(x) & set(y):
                    break
            elif x is None or x != y:
                break
        else:
            return True
    return False


def find_matches(
    data: dict[str, Any], *, exclude_id: int | None = None, threshold: float
) -> list[Match]:
    """Existing customers that the payload probably duplicates, best first."""
    row = record_features(data)
    held = holders(row["phone_bases"], row["emails"])
    without_common_values(row, held, exclude_id or 0)
    ids = candidate_ids(row, exclude_id)
    if not ids:
        return []
    others = customer_features(ids)
    scored = []
    for index, other_id in enumerate(others.data["unique_id"]):
        other = others.row(index)
        without_common_values(other, held, other_id)
        if not blocked_together(row, other):
            continue  # the scan never compares this pair: neither does the check
        levels = compare(row, other)
        score, weight = probability(levels)
        if score >= threshold:
            scored.append((other_id, score, weight, levels))
    if not scored:
        return []
    by_id = Customer.objects.in_bulk([other_id for other_id, *_rest in scored])
    matches = [Match(by_id[i], score, weight, levels) for i, score, weight, levels in scored]
    matches.sort(key=lambda m: -m.score)
    return matches
