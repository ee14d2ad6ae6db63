"""On-save duplicate check: the scan's comparisons, in Python with rapidfuzz, for one record.

A record being created or edited (a payload, not yet saved) is normalised like the scan does it,
compared with the few customers that share a blocking key with it, and scored with the same
levels and weights as the Splink model (kehu.dedupe.model), so the explanation reads the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from rapidfuzz.distance import JaroWinkler, Levenshtein

from kehu.core.text import clean_text
from kehu.core.validators import parse_phone
from kehu.customers import normalization as norm
from kehu.customers.models import Contact, Customer

from .model import FIELDS, PRIOR_WEIGHT
from .scan import Features, customer_features, explain_levels

MAX_CANDIDATES = 200


def _jw(a: str, b: str) -> float:
    return JaroWinkler.similarity(a, b, prefix_weight=0.1)


def _overlap(a: list[str], b: list[str]) -> bool:
    return bool(set(a) & set(b))


def _level_weights() -> dict[str, dict[str, float]]:
    return {f.name: {lv.label: lv.weight for lv in f.levels} for f in FIELDS}


_WEIGHTS = _level_weights()


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, float]:
    """{field: match weight} for two feature rows; mirrors the SQL levels of model.FIELDS."""
    w = _WEIGHTS
    out: dict[str, float] = {}

    def level(field: str, label: str) -> None:
        out[field] = w[field][label]

    if not a["credit_code"] or not b["credit_code"]:
        out["credit_code"] = 0.0
    elif a["credit_code"] == b["credit_code"]:
        level("credit_code", "same")
    elif Levenshtein.distance(a["credit_code"], b["credit_code"]) <= 2:
        level("credit_code", "one typo")
    else:
        level("credit_code", "different")

    na, nb = a["name_core"], b["name_core"]
    if not na or not nb:
        out["name"] = 0.0
    elif na == nb:
        level("name", "same")
    elif a["name_key"] == b["name_key"]:
        level("name", "sound the same")
    elif _jw(na, nb) >= 0.9:
        level("name", "one character apart")
    elif len(na) >= 2 and len(nb) >= 2 and (na in nb or nb in na):
        level("name", "one contains the other")
    elif (
        a["name_brand"]
        and b["name_brand"]
        and a["name_key"].startswith(b["name_brand"])
        and b["name_key"].startswith(a["name_brand"])
    ):
        level("name", "same brand")
    elif _jw(a["name_key"], b["name_key"]) >= 0.88:
        level("name", "similar (pinyin)")
    elif _jw(a["name_key"], b["name_key"]) >= 0.75:
        level("name", "somewhat similar")
    else:
        level("name", "different")

    if not a["city"] or not b["city"]:
        out["city"] = 0.0
    else:
        level("city", "same" if a["city"] == b["city"] else "different")

    if not a["phones"] or not b["phones"]:
        out["phone"] = 0.0
    elif _overlap(a["mobiles"], b["mobiles"]):
        level("phone", "same mobile")
    elif _overlap(a["phones"], b["phones"]):
        level("phone", "same number")
    elif _overlap(a["phone_bases"], b["phone_bases"]):
        level("phone", "same number, other extension")
    else:
        level("phone", "different")

    if not a["emails"] or not b["emails"]:
        out["email"] = 0.0
    elif _overlap(a["emails"], b["emails"]):
        level("email", "same")
    elif _overlap(a["domains"], b["domains"]):
        level("email", "same domain")
    else:
        level("email", "different")

    if not a["people"] or not b["people"]:
        out["contact"] = 0.0
    elif _overlap(a["persons"], b["persons"]):
        level("contact", "same person")
    elif _overlap(a["surnames"], b["surnames"]):
        level("contact", "same surname")
    else:
        level("contact", "different")

    if not a["address"] or not b["address"]:
        out["address"] = 0.0
    elif a["address"] == b["address"]:
        level("address", "same")
    elif a["address_key"] and a["address_key"] == b["address_key"]:
        level("address", "same street and number")
    elif _jw(a["address"], b["address"]) >= 0.9:
        level("address", "similar")
    else:
        level("address", "different")
    return out


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


def _phone(raw: Any) -> str:
    text = clean_text(raw)
    if not text:
        return ""
    if text.startswith("+") and text[1:].split(";")[0].isdigit():
        return text
    try:
        return parse_phone(text)[0]
    except Exception:  # noqa: BLE001 - an invalid number simply does not take part
        return ""


def record_features(data: dict[str, Any]) -> dict[str, Any]:
    """The feature row of an unsaved payload (customer fields, decision_maker, contacts)."""
    people = [data.get("decision_maker") or {}, *(data.get("contacts") or [])]
    contacts = []
    for person in people:
        if not isinstance(person, dict) or not any(person.values()):
            continue
        number = _phone(person.get("mobile") or person.get("phone") or person.get("landline"))
        contacts.append(
            (
                clean_text(person.get("name")),
                clean_text(person.get("title")),
                number if norm.is_mobile(number) else "",
                number if number and not norm.is_mobile(number) else "",
                clean_text(person.get("email")).lower(),
            )
        )
    region = data.get("region")
    city = data.get("city") or (region.get("city") if isinstance(region, dict) else "") or ""
    record = {
        "id": data.get("id") or 0,
        "name": clean_text(data.get("name")),
        "credit_code": clean_text(data.get("credit_code")).upper(),
        "city": clean_text(city),
        "address": clean_text(data.get("address")),
        "phone": _phone(data.get("phone") or data.get("mobile")),
        "email": clean_text(data.get("email")).lower(),
    }
    features = Features()
    features.add(record, contacts)
    return {column: values[0] for column, values in features.data.items()}


def _candidate_ids(row: dict[str, Any], exclude_id: int | None) -> list[int]:
    query = Q(pk__in=[])
    if row["name_core"]:
        query |= Q(name_normalized=row["name_core"])
        if len(row["name_core"]) >= 2:
            query |= Q(name_normalized__startswith=row["name_core"][:2])
    if row["credit_code"]:
        query |= Q(credit_code=row["credit_code"])
    phones = row["phones"] + row["phone_bases"]
    if phones:
        query |= Q(phone__in=phones)
    if row["emails"]:
        query |= Q(email__in=row["emails"])
    ids = set(
        Customer.objects.filter(query)
        .exclude(pk=exclude_id or 0)
        .order_by("-id")
        .values_list("pk", flat=True)[:MAX_CANDIDATES]
    )
    contact_query = Q(pk__in=[])
    if phones:
        contact_query |= Q(mobile__in=phones) | Q(landline__in=phones)
    if row["emails"]:
        contact_query |= Q(email__in=row["emails"])
    ids.update(
        Contact.objects.filter(contact_query)
        .exclude(customer_id=exclude_id or 0)
        .values_list("customer_id", flat=True)[:MAX_CANDIDATES]
    )
    return sorted(ids)


def find_matches(
    data: dict[str, Any], *, exclude_id: int | None = None, threshold: float
) -> list[Match]:
    """Existing customers that the payload probably duplicates, best first."""
    row = record_features(data)
    ids = _candidate_ids(row, exclude_id)
    if not ids:
        return []
    others = customer_features(ids)
    by_id = {c.pk: c for c in Customer.objects.filter(pk__in=ids)}
    matches = []
    for index, other_id in enumerate(others.data["unique_id"]):
        other = {column: values[index] for column, values in others.data.items()}
        levels = compare(row, other)
        score, weight = probability(levels)
        if score >= threshold:
            matches.append(Match(by_id[other_id], score, weight, levels))
    matches.sort(key=lambda m: -m.score)
    return matches
