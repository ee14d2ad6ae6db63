"""Search matches a value only as far as the user may see it (issue 14.17).

A search document carries its record's phones, e-mail, WeChat and QQ ids (kehu.core.search_index).
Whoever sees them whole (kehu.accounts.policy.can_see_pii: the owner, the owner's team manager,
administrators) may match on any part of them. Everyone else sees them masked on every page
(139****2166, b***@jia.cn, wxi*****f8d2), and may match only on what the mask shows: the document
is read as it would be shown to them (`masked_row`) and the query must match that. A query of
Chinese characters only never touches these values (they hold none), so it is not checked.

One exception, counted as a reveal: a user allowed to reveal masked values (can_reveal_pii) who
types a whole value (the full number a customer calls from) finds its record; the search's caller
audits the reveal (kehu.search.services.search_logged).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from kehu.accounts.models import Role
from kehu.accounts.policy import PII_ROLES, can_reveal_pii, can_see_pii
from kehu.core.validators import mask_email, mask_identifier

from .engines import TABLE, _like  # the engines' LIKE escaping

Row = dict[str, Any]


def pii_tokens(row: Row) -> list[str]:
    """The values of a document that are masked for most users, as the index holds them."""
    if row["kind"] == "customer":
        tokens = [row["phone_rev"][::-1]] if row["phone_rev"] else []
    elif row["kind"] == "contact":
        tokens = row["codes"].split()  # mobile, landline, WeChat id, QQ: all contact details
    else:
        tokens = []
    if row["email"]:
        tokens.append(row["email"])
    return [t for t in tokens if t]


def mask_token(token: str) -> str:
    """A value as masked pages show it: the first 3 and last 4 digits of a number, the first
    letter and the domain of an e-mail, an id's first 3 and last 4 characters."""
    if "@" in token:
        return mask_email(token)
    if token.isdigit() and len(token) >= 7:
        return token[:3] + "*" * (len(token) - 7) + token[-4:]
    return mask_identifier(token)


def masked_row(row: Row) -> Row:
    """The document as a user who sees its contact details masked reads it."""
    tokens = sorted(set(pii_tokens(row)), key=len, reverse=True)
    if not tokens:
        return row
    masks = {token: mask_token(token) for token in tokens}
    text = row["text"] or ""
    for token in tokens:  # the longest first: a number inside another
        text = text.replace(token, masks[token])
    phone = row["phone_rev"][::-1]
    return {
        **row,
        "text": text,
        "codes": " ".join(masks.get(t, t) for t in row["codes"].split()),
        "email": masks.get(row["email"], row["email"]),
        "phone_rev": masks.get(phone, phone)[::-1],
    }


class Viewer:
    """One user's search: which matches they may make, and which of them are reveals."""

    def __init__(self, user: Any, words: list[str], key: str, tier: Callable[[Row], int]) -> None:
        self.user = user
        self.key = key
        self.tier = tier
        self.words = [w for w in words if w.isascii()]
        sees_all = getattr(user, "role", None) in PII_ROLES
        # Only Latin letters and digits can meet a phone, e-mail or id.
        self.checks_rows = not sees_all and bool(self.words or (key and key.isascii()))

    def masked_sql(self) -> tuple[str, list[Any]]:
        """SQL true for the documents whose contact details this user sees masked (the
        complement of can_see_pii): only those are read to check a match."""
        user = self.user
        if getattr(user, "pk", None) is None:
            return "1=1", []
        sql, params = f"({TABLE}.owner IS NULL OR {TABLE}.owner <> %s)", [user.pk]
        if user.role == Role.MANAGER and user.team_id:
            sql += f" AND ({TABLE}.team IS NULL OR {TABLE}.team <> %s)"
            params.append(user.team_id)
        return sql, params

    def suspect_sql(self) -> tuple[str, list[Any]]:
        """SQL true for the documents a query word may have met in a value this user sees
        masked: the user does not see the document's contact details whole, and a word occurs
        in its phone, e-mail or (a contact's) ids. Only those are read and checked (allows)."""
        parts, params = [], []
        for word in self.words:
            like, reversed_like = _like(word), _like(word[::-1])
            parts.append(
                f"({TABLE}.email LIKE %s ESCAPE '\\' OR ({TABLE}.kind = 'contact' AND "
                f"{TABLE}.codes LIKE %s ESCAPE '\\') OR ({TABLE}.kind = 'customer' AND "
                f"{TABLE}.phone_rev LIKE %s ESCAPE '\\'))"
            )
            params += [like, like, reversed_like]
        masked, masked_params = self.masked_sql()
        touched = " OR ".join(parts) or "1=0"
        return f"{masked} AND ({touched})", [*masked_params, *params]

    def allows(self, row: Row, *, reveal: bool = True) -> bool:
        """Whether the engine's match of a document that suspect_sql() returned (one whose
        contact details the user sees masked) is one they may make; for counting, so cheap:
        match() also ranks, for the few rows shown.

        A word is visible when it occurs in the text more often than inside the masked values
        (so at least once outside them: words hold no spaces and values are whole words of the
        text, so no occurrence straddles one), or inside what a value's mask shows."""
        tokens = pii_tokens(row)
        text = row["text"] or ""
        for word in self.words:
            inside = [token for token in tokens if word in token]
            if not inside or text.count(word) > sum(t.count(word) for t in inside):
                continue
            if not any(word in mask_token(token) for token in inside):
                # A whole masked value typed by one allowed to reveal it: a reveal, unless the
                # caller does not audit one (reveal=False, the customer list).
                return (
                    reveal and self.key in tokens and can_reveal_pii(self.user, self._customer(row))
                )
        return True

    def _customer(self, row: Row) -> SimpleNamespace:
        return SimpleNamespace(owner_id=row["owner"], team_id=row["team"])

    def match(self, row: Row) -> tuple[int, bool] | None:
        """(tier, is a reveal) of this document for this user; None when the match would need a
        value they see masked."""
        if not self.checks_rows or can_see_pii(self.user, self._customer(row)):
            return self.tier(row), False
        seen = masked_row(row)
        tier = self.tier(seen)
        if tier < 2 or all(word in seen["text"] for word in self.words):
            return tier, False
        if self.key in pii_tokens(row) and can_reveal_pii(self.user, self._customer(row)):
            return 0, True
        return None
