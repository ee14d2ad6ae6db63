"""Capture write paths: chat capture commit and saving a confirmed business card."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from kehu.accounts.policy import can_log_interaction
from kehu.customers.models import Contact, Customer
from kehu.customers.services import PermissionDenied, contact_create, customer_create
from kehu.interactions.models import Interaction
from kehu.interactions.services import interaction_log
from kehu.opportunities.models import Opportunity
from kehu.opportunities.services import opportunity_create
from kehu.tags.services import tag_apply

from .chat import ChatDraft, parse_chat
from .models import ChatTagRule


def chat_draft(text: str, *, today: date | None = None) -> ChatDraft:
    rules = list(ChatTagRule.objects.filter(is_active=True))
    return parse_chat(text, today=today or timezone.localdate(), rules=rules)


def _title(draft: ChatDraft, text: str) -> str:
    if draft.product:
        quantity = f"{draft.as_json()['quantity']}{draft.unit}" if draft.quantity else ""
        return f"{quantity}{draft.product}"[:200]
    first = text.strip().splitlines()[0] if text.strip() else ""
    return (first[:40] or "聊天商机").strip()


@transaction.atomic
def chat_commit(
    *, actor: Any, customer: Customer, text: str, draft: ChatDraft
) -> tuple[Opportunity, Interaction]:
    """Save the card: an opportunity (source chat_capture), its tags, a linked WeChat note."""
    if not can_log_interaction(actor):
        raise PermissionDenied("Your role may not log interactions.")
    data: dict[str, Any] = {"title": _title(draft, text), "source": "chat_capture"}
    if draft.budget_amount is not None:
        data["expected_amount"] = str(draft.budget_amount)
    if draft.time_frame:
        data["expected_close_date"] = draft.time_frame.isoformat()
    opportunity = opportunity_create(actor=actor, customer=customer, data=data)
    for tag in draft.tags:
        tag_apply(actor=actor, customer=customer, name=tag)
    interaction = interaction_log(
        actor=actor,
        customer=customer,
        data={
            "method": "wechat",
            "topic": f"聊天记录 → 商机 #{opportunity.pk} {opportunity.title}"[:200],
            "summary": text,
        },
    )
    return opportunity, interaction


@transaction.atomic
def card_save(
    *, actor: Any, fields: dict[str, str], customer: Customer | None = None
) -> tuple[Customer, Contact]:
    """Save a confirmed card: a contact on the given customer, or a new customer with it."""
    person = {
        key: fields.get(key, "")
        for key in ("name", "title", "mobile", "email", "address")
        if fields.get(key)
    }
    if fields.get("phone"):
        person["landline"] = fields["phone"]
    if customer is not None:
        return customer, contact_create(actor=actor, customer=customer, data=person)
    data: dict[str, Any] = {
        "name": fields.get("company") or fields.get("name", ""),
        "kind": "company" if fields.get("company") else "individual",
        "status": "lead",
        "status_reason": "名片录入",
        "address": fields.get("address", ""),
        "decision_maker": person,
    }
    created = customer_create(actor=actor, data=data)
    return created, created.contacts.first()
