"""The texts keyword rules read, as (customer id, text) rows.

- interaction: interaction summaries (calls, visits, meetings, e-mails logged as interactions …)
- chat: chat captures — the WeChat interactions kehu.intake's chat capture saves
- customer_notes: the customer's notes
- followup_notes: follow-up tasks' notes
A retroactive run reads each with a set-based prefilter (the text contains one of the keywords:
LIKE '%…%' in SQL), so only candidate rows reach jieba.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from kehu.customers.models import Customer
from kehu.interactions.models import FollowUp, Interaction

from ..models import KeywordTagRule

Text = KeywordTagRule.Text
CHUNK = 5_000


def _contains_any(field: str, keywords: Sequence[str]) -> Q:
    return reduce(or_, (Q(**{f"{field}__contains": k}) for k in keywords), Q(pk__in=[]))


BOTH_INTERACTIONS = "interaction+chat"  # one scan of the interactions for both kinds


def scan_kinds(kinds: Sequence[str]) -> list[str]:
    """The kinds a run reads, interactions and chat captures merged into one scan."""
    kinds = list(dict.fromkeys(kinds))
    if Text.INTERACTION in kinds and Text.CHAT in kinds:
        kinds = [BOTH_INTERACTIONS, *(k for k in kinds if k not in (Text.INTERACTION, Text.CHAT))]
    return kinds


def text_rows(kind: str, keywords: Sequence[str]) -> QuerySet:
    """(customer_id, text) of every row of this kind whose text contains one of the keywords."""
    if kind == BOTH_INTERACTIONS:
        return (
            Interaction.objects.filter(_contains_any("summary", keywords))
            .order_by()
            .values_list("customer_id", "summary")
        )
    if kind in (Text.INTERACTION, Text.CHAT):
        rows = Interaction.objects.filter(_contains_any("summary", keywords))
        wechat = Q(method=Interaction.Method.WECHAT)
        rows = rows.filter(wechat) if kind == Text.CHAT else rows.exclude(wechat)
        return rows.order_by().values_list("customer_id", "summary")
    if kind == Text.CUSTOMER_NOTES:
        return (
            Customer.objects.filter(_contains_any("notes", keywords))
            .order_by()
            .values_list("pk", "notes")
        )
    if kind == Text.FOLLOWUP_NOTES:
        return (
            FollowUp.objects.filter(_contains_any("note", keywords))
            .order_by()
            .values_list("customer_id", "note")
        )
    raise ValueError(kind)


def texts_iter(kind: str, keywords: Sequence[str]) -> Iterator[tuple[int, str]]:
    if not keywords:
        return iter(())
    return text_rows(kind, keywords).iterator(chunk_size=CHUNK)


def interaction_kind(method: str) -> str:
    return Text.CHAT if method == Interaction.Method.WECHAT else Text.INTERACTION
