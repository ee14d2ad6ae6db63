"""What the duplicate explanation says, in the reader's language.

The scorer's fields and levels (weights.py) keep English labels: Splink's charts and the stored
explanations of scanned pairs use them. Pages and API answers show these translations instead
(`reasons_shown`): "信用代码：相同（+20.0）", not "credit code: same (+20.0)". A new field or
level of weights.py needs its line here (kehu/customers/tests/test_matching_labels.py checks).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext_lazy

FIELD_LABELS: dict[str, Any] = {
    "same registered name, credit code, mobile or e-mail": pgettext_lazy(
        "duplicate evidence", "same registered name, credit code, mobile or e-mail"
    ),
    "credit code": pgettext_lazy("duplicate evidence", "credit code"),
    "company name": pgettext_lazy("duplicate evidence", "company name"),
    "city": pgettext_lazy("duplicate evidence", "city"),
    "phone": pgettext_lazy("duplicate evidence", "phone"),
    "e-mail": pgettext_lazy("duplicate evidence", "e-mail"),
    "contact person": pgettext_lazy("duplicate evidence", "contact person"),
    "address": pgettext_lazy("duplicate evidence", "address"),
    "name (person)": pgettext_lazy("duplicate evidence", "name (person)"),
    "house number": pgettext_lazy("duplicate evidence", "house number"),
    "street": pgettext_lazy("duplicate evidence", "street"),
    "suburb or town": pgettext_lazy("duplicate evidence", "suburb or town"),
    "postcode": pgettext_lazy("duplicate evidence", "postcode"),
}
LEVEL_LABELS: dict[str, Any] = {
    "shared": pgettext_lazy("duplicate evidence", "shared"),
    "none": pgettext_lazy("duplicate evidence", "none"),
    "missing": pgettext_lazy("duplicate evidence", "missing"),
    "same": pgettext_lazy("duplicate evidence", "same"),
    "one typo": pgettext_lazy("duplicate evidence", "one typo"),
    "different": pgettext_lazy("duplicate evidence", "different"),
    "same registered name": pgettext_lazy("duplicate evidence", "same registered name"),
    "sound the same": pgettext_lazy("duplicate evidence", "sound the same"),
    "one character apart": pgettext_lazy("duplicate evidence", "one character apart"),
    "one contains the other": pgettext_lazy("duplicate evidence", "one contains the other"),
    "same brand": pgettext_lazy("duplicate evidence", "same brand"),
    "similar (pinyin)": pgettext_lazy("duplicate evidence", "similar (pinyin)"),
    "somewhat similar": pgettext_lazy("duplicate evidence", "somewhat similar"),
    "same mobile": pgettext_lazy("duplicate evidence", "same mobile"),
    "same number": pgettext_lazy("duplicate evidence", "same number"),
    "same number, other extension": pgettext_lazy(
        "duplicate evidence", "same number, other extension"
    ),
    "fits a masked number": pgettext_lazy("duplicate evidence", "fits a masked number"),
    "same domain": pgettext_lazy("duplicate evidence", "same domain"),
    "same person": pgettext_lazy("duplicate evidence", "same person"),
    "same surname": pgettext_lazy("duplicate evidence", "same surname"),
    "same street and number": pgettext_lazy("duplicate evidence", "same street and number"),
    "similar": pgettext_lazy("duplicate evidence", "similar"),
    "same name": pgettext_lazy("duplicate evidence", "same name"),
    "same name, typo, initial or nickname": pgettext_lazy(
        "duplicate evidence", "same name, typo, initial or nickname"
    ),
    "one name the same, the other similar": pgettext_lazy(
        "duplicate evidence", "one name the same, the other similar"
    ),
    "one name the same, the other missing": pgettext_lazy(
        "duplicate evidence", "one name the same, the other missing"
    ),
    "one name the same": pgettext_lazy("duplicate evidence", "one name the same"),
    "one name similar": pgettext_lazy("duplicate evidence", "one name similar"),
    "typo": pgettext_lazy("duplicate evidence", "typo"),
    "street and building line swapped": pgettext_lazy(
        "duplicate evidence", "street and building line swapped"
    ),
    "one digit or two swapped": pgettext_lazy("duplicate evidence", "one digit or two swapped"),
}


def reasons_shown(reasons: Any) -> list[dict[str, Any]]:
    """Explanation rows ({field, label, level, weight}) with `label` and `level_label` as
    people read them; `field` and `level` stay the codes scripts compare."""
    shown = []
    for reason in reasons or []:
        if not isinstance(reason, dict):
            continue
        label, level = str(reason.get("label", "")), str(reason.get("level", ""))
        shown.append(
            {
                **reason,
                "label": str(FIELD_LABELS.get(label, label)),
                "level_label": str(LEVEL_LABELS.get(level, level)),
            }
        )
    return shown
