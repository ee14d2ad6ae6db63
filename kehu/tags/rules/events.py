"""Keyword rules on save: the change log's listener (kehu.audit.events) and a cursor of its own.

Why the change log and not post_save signals: the tags app sits above interactions and
customers, so their services cannot call it; a post_save signal fires inside the write's
transaction (it slows every write, runs again for each save of the same row and sees nothing of
bulk writes). The log's listener is called once per *committed* transaction that wrote entries
(never for a rolled-back one) and only queues a task; the task reads the entries after its
cursor, so each committed write is read exactly once (the cursor moves in the same transaction
as the tags it applied: a crash repeats the batch, and tag_apply is idempotent), and nothing is
lost when the worker is down. The write path pays one on_commit callback and one "queued
already?" query.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Max

from kehu.audit.actions import AuditAction
from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.interactions.models import FollowUp, Interaction

from ..models import AutoTagCursor, KeywordTagRule
from .apply import rule_tag_one
from .keywords import Matcher
from .texts import Text, interaction_kind

CURSOR_KEY = "keyword-rules"
BATCH = 500  # entries per transaction (on SQLite the cursor's lock holds every writer)
LIMIT = 50_000  # entries per task run; the task queues itself again for the rest
INTERACTION_ACTIONS = (AuditAction.INTERACTION_LOGGED.value, AuditAction.INTERACTION_UPDATED.value)
CUSTOMER_ACTIONS = (AuditAction.CUSTOMER_CREATED.value, AuditAction.CUSTOMER_UPDATED.value)
FOLLOWUP_ACTIONS = (AuditAction.FOLLOWUP_CREATED.value, AuditAction.FOLLOWUP_UPDATED.value)
ACTIONS = (*INTERACTION_ACTIONS, *CUSTOMER_ACTIONS, *FOLLOWUP_ACTIONS)


def _cursor_locked() -> AutoTagCursor:
    if not AutoTagCursor.objects.filter(key=CURSOR_KEY).exists():
        # A new cursor starts at the log's end: the past is a retroactive run's job.
        start = AuditEntry.objects.aggregate(m=Max("seq"))["m"] or 0
        AutoTagCursor.objects.get_or_create(key=CURSOR_KEY, defaults={"seq": start})
    return AutoTagCursor.objects.select_for_update().get(key=CURSOR_KEY)


def cursor_start() -> None:
    """Put the cursor at the log's end now (a new install), if it has none."""
    with transaction.atomic():
        _cursor_locked()


def events_process(*, limit: int = LIMIT) -> int:
    """Run the active keyword rules on the texts the entries after the cursor wrote; returns how
    many entries were read."""
    done = 0
    while done < limit:
        with transaction.atomic():
            cursor = _cursor_locked()
            entries: list[dict[str, Any]] = [
                dict(row)
                for row in AuditEntry.objects.filter(seq__gt=cursor.seq)
                .order_by("seq")
                .values("seq", "action", "target_type", "target_id", "customer_id", "changes")[
                    :BATCH
                ]
            ]
            if not entries:
                return done
            _entries_apply([e for e in entries if e["action"] in ACTIONS])
            cursor.seq = entries[-1]["seq"]
            cursor.save(update_fields=["seq"])
        done += len(entries)
    return done


def _ids(entries: list[dict[str, Any]], actions: tuple[str, ...], target_type: str) -> set[int]:
    return {
        int(e["target_id"])
        for e in entries
        if e["action"] in actions and e["target_type"] == target_type and e["target_id"].isdigit()
    }


def _entries_apply(entries: list[dict[str, Any]]) -> None:
    if not entries:
        return
    rules = list(KeywordTagRule.objects.filter(is_active=True).select_related("tag"))
    if not rules:
        return
    texts: dict[int, list[tuple[str, str]]] = defaultdict(list)  # customer -> (kind, text)
    interaction_ids = _ids(entries, INTERACTION_ACTIONS, "interactions.interaction")
    for cid, method, summary in Interaction.objects.filter(pk__in=interaction_ids).values_list(
        "customer_id", "method", "summary"
    ):
        texts[cid].append((interaction_kind(method), summary))
    customer_ids = {
        int(e["target_id"])
        for e in entries
        if e["action"] in CUSTOMER_ACTIONS
        and e["target_type"] == "customers.customer"
        and e["target_id"].isdigit()
        and (e["action"] == AuditAction.CUSTOMER_CREATED or "notes" in (e["changes"] or {}))
    }
    for cid, notes in Customer.objects.filter(pk__in=customer_ids).values_list("pk", "notes"):
        texts[cid].append((Text.CUSTOMER_NOTES, notes))
    followup_ids = _ids(entries, FOLLOWUP_ACTIONS, "interactions.followup")
    for cid, note in FollowUp.objects.filter(pk__in=followup_ids).values_list(
        "customer_id", "note"
    ):
        texts[cid].append((Text.FOLLOWUP_NOTES, note))
    texts_apply(rules, texts)


def texts_apply(rules: list[KeywordTagRule], texts: dict[int, list[tuple[str, str]]]) -> int:
    """Each rule on each customer's texts of the kinds it reads; returns the tags applied."""
    matchers = [(rule, Matcher.of(rule)) for rule in rules]
    customers = Customer.objects.in_bulk([cid for cid, rows in texts.items() if rows])
    applied = 0
    for cid, rows in texts.items():
        customer = customers.get(cid)
        if customer is None:
            continue
        for rule, matcher in matchers:
            for kind, text in rows:
                if kind not in (rule.texts or []):
                    continue
                evidence = matcher.match(text or "")
                if evidence:
                    rule_tag_one(rule, customer, evidence)
                    applied += 1
                    break
    return applied
