"""Search matches a value only as far as the user may see it (issue 14.17).

A search document holds no phone, e-mail, WeChat or QQ id or address in clear (issue 19): only
blind terms of the forms people type (kehu.core.search_index.tokens), and each reading of a
query (`QueryTerm`) says which form it matches. Whoever sees a record's values whole
(kehu.accounts.policy.can_see_pii: the owner, the owner's team manager, administrators) may
match any of them. Everyone else sees them masked on every page (139****2166, b***@jia.cn,
wxi*****f8d2), and may match only what the mask shows (QueryTerm.shown_masked: the first 3
digits, the last 4, the e-mail's domain, an id's first 3 characters; addresses are not masked).
Words matched in the document's text (names, pinyin, numbers, tags) hold nothing masked.

One exception, counted as a reveal: a user allowed to reveal masked values (can_reveal_pii) who
types a whole value (the full number a customer calls from) finds its record; the search's caller
audits the reveal (kehu.search.services.search_logged).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from kehu.accounts.models import Role
from kehu.accounts.policy import PII_ROLES, can_reveal_pii, can_see_pii
from kehu.core.search_index.tokens import WHOLE, QueryTerm, matched_terms

from .engine_parts import TABLE

Row = dict[str, Any]


class Viewer:
    """One user's search: which blind-term matches they may make, and which are reveals."""

    def __init__(self, user: Any, terms: list[QueryTerm]) -> None:
        self.user = user
        self.terms = terms
        sees_all = getattr(user, "role", None) in PII_ROLES
        # Rows matched by a term the mask hides are checked; none else need be read.
        self.checks_rows = not sees_all and any(not t.shown_masked for t in terms)

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

    def term_match(self, row: Row, *, reveal: bool = True) -> tuple[int, bool] | None:
        """(tier, is a reveal) of the best blind-term match of a document this user may make;
        None when there is none (no term matched, or only ones they see masked)."""
        matched = matched_terms(self.terms, row.get("tokens") or "")
        if not matched:
            return None
        if not self.checks_rows or can_see_pii(self.user, self._customer(row)):
            return min(t.tier for t in matched), False
        shown = [t.tier for t in matched if t.shown_masked]
        if shown:
            return min(shown), False
        if reveal and any(t.form == WHOLE for t in matched):
            if can_reveal_pii(self.user, self._customer(row)):
                return 0, True
        return None

    def _customer(self, row: Row) -> SimpleNamespace:
        return SimpleNamespace(owner_id=row["owner"], team_id=row["team"])

    def match(
        self, row: Row, text_tier: int | None, *, reveal: bool = True
    ) -> tuple[int, bool] | None:
        """(tier, is a reveal) of this document for this user: its text match (`text_tier`,
        None when the words did not match its text) or its best allowed term match."""
        term = self.term_match(row, reveal=reveal) if self.terms else None
        if term is None:
            return None if text_tier is None else (text_tier, False)
        if text_tier is not None and text_tier <= term[0]:
            return text_tier, False
        return term
