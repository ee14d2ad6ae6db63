"""Capture write paths: chat capture commit and saving a confirmed business card."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, Team, User
from kehu.accounts.policy import can_log_interaction
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.crypto import blind_values
from kehu.core.errors import NotFound, ValidationFailed
from kehu.customers.consent_gate import consent_basis_clean, consent_basis_record
from kehu.customers.models import Contact, Customer, Industry
from kehu.customers.services import PermissionDenied, contact_create, customer_create
from kehu.interactions.models import Interaction
from kehu.interactions.services import interaction_log
from kehu.opportunities.models import Opportunity
from kehu.opportunities.services import opportunity_create
from kehu.review.models import ReviewRule
from kehu.review.services import review_rule_change
from kehu.tags.services import tag_apply
from kehu.tags.services.library import tag_library_check

from .chat import ChatDraft, parse_chat
from .models import AssignmentRule, ChatTagRule, EmailDomain, Lead


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
    *, actor: User, customer: Customer, text: str, draft: ChatDraft
) -> tuple[Opportunity, Interaction]:
    """Save the card: an opportunity (source chat_capture), its tags, a linked WeChat note."""
    if not can_log_interaction(actor):
        raise PermissionDenied(_("Your role may not log interactions."))
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
            # The field standard's other two, from what the capture itself means: a customer
            # who asks for a quantity, product or budget is interested; the opportunity it
            # opened is what to follow up.
            "feedback": Interaction.Feedback.INTERESTED,
            "next_action": f"跟进商机 #{opportunity.pk} {opportunity.title}"[:300],
        },
    )
    return opportunity, interaction


@transaction.atomic
def card_save(
    *,
    actor: User,
    fields: dict[str, str],
    customer: Customer | None = None,
    consent_purposes: Sequence[str] = (),
    consent_basis: str = "",
    consent_lawful_basis: str = "",
    consent_wording_version: str = "",
) -> tuple[Customer, Contact | None]:
    """Save a confirmed card: a contact on the given customer, or a new customer with it; the
    lawful basis the user records (consent with `consent_purposes`, contract or existing
    customer for service, or none) is stored as the person's consents, channel card (issue 19)."""
    choice = consent_basis_clean(
        lawful_basis=consent_lawful_basis,
        purposes=consent_purposes,
        basis=consent_basis,
        wording_version=consent_wording_version,
    )  # checked before anything is written
    saved, contact = _card_save(actor=actor, fields=fields, customer=customer)
    consent_basis_record(
        actor=actor,
        customer=saved,
        contact=contact,
        purposes=choice.purposes,
        channel="card",
        basis=choice.basis,
        lawful_basis=choice.lawful_basis,
        wording_version=choice.wording_version,
    )
    return saved, contact


def _card_save(
    *, actor: User, fields: dict[str, str], customer: Customer | None
) -> tuple[Customer, Contact | None]:
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


# --- Capture rules, kept by an administrator (the rules page and the API)

MAX_PRIORITY = 1_000_000
RULE_MODELS: dict[str, Any] = {
    "assignment": AssignmentRule,
    "domain": EmailDomain,
    "chat": ChatTagRule,
}


def _fits(value: str, field: str, limit: int) -> str:
    """value, or a ValidationFailed on `field` when it is longer than `limit` (never cut)."""
    if len(value) > limit:
        raise ValidationFailed(
            {
                field: [
                    _("At most %(limit)s characters (this has %(length)s).")
                    % {"limit": limit, "length": len(value)}
                ]
            }
        )
    return value


def _required(data: Any, *names: str) -> dict[str, str]:
    values = {name: str(data.get(name, "")).strip() for name in names}
    missing = {name: [_("This field is required.")] for name, value in values.items() if not value}
    if missing:
        raise ValidationFailed(missing)
    return values


def _optional_id(model: Any, raw: Any, field: str, **filters: Any) -> Any:
    if not raw:
        return None
    text = str(raw).strip()
    is_id = text.isdecimal() and len(text) < 19  # what a bigint primary key can be
    row = model.objects.filter(pk=int(text), **filters).first() if is_id else None
    if row is None:
        raise ValidationFailed({field: [_("Choose one of the listed values.")]})
    return row


def _is_active(data: Any) -> bool:
    return str(data.get("is_active", True)).lower() not in ("false", "0", "off", "")


def _existing(model: Any, rule_id: int | None) -> Any:
    """The row to change (rule_id given), or a new one."""
    if rule_id is None:
        return model()
    row = model.objects.filter(pk=rule_id).first()
    if row is None:
        raise NotFound(_("No such rule."))
    return row


@transaction.atomic
def capture_rule_save(*, actor: User, kind: str, data: Any, rule_id: int | None = None) -> Any:
    """Add a rule or domain (or, with rule_id, change an assignment or chat rule), change an
    anomaly threshold, or delete a row; audited."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator may change capture rules."))
    row: Any
    if kind == "domain":
        values = _required(data, "domain", "company")
        domain = _fits(values["domain"].lower().lstrip("@"), "domain", 100)
        row, _created = EmailDomain.objects.update_or_create(
            domain=domain, defaults={"company": _fits(values["company"], "company", 200)}
        )
    elif kind == "chat":
        values = _required(data, "tag", "field", "op", "value")
        if values["field"] not in ChatTagRule.Field.values:
            raise ValidationFailed({"field": [_("Choose one of the listed values.")]})
        if values["op"] not in ChatTagRule.Op.values:
            raise ValidationFailed({"op": [_("Choose one of the listed values.")]})
        row = _existing(ChatTagRule, rule_id)
        row.tag = _fits(values["tag"], "tag", 50)
        tag_library_check([row.tag], field="tag")  # library only (issue 17)
        row.field, row.op = values["field"], values["op"]
        row.value = _fits(values["value"], "value", 100)
        row.is_active = _is_active(data)
        row.save()
    elif kind == "assignment":
        values = _required(data, "name")
        raw_priority = data.get("priority")
        priority = "100" if raw_priority in (None, "") else str(raw_priority).strip()
        if not priority.isdecimal() or int(priority) > MAX_PRIORITY:
            raise ValidationFailed(
                {"priority": [_("Enter a whole number from 0 to %(max)s.") % {"max": MAX_PRIORITY}]}
            )
        row = _existing(AssignmentRule, rule_id)
        row.name = _fits(values["name"], "name", 100)
        row.priority = int(priority)
        row.province = _fits(str(data.get("province", "")).strip(), "province", 50)
        row.industry = _optional_id(Industry, data.get("industry"), "industry", parent__isnull=True)
        row.team = _optional_id(Team, data.get("team"), "team")
        row.owner = _optional_id(User, data.get("owner"), "owner", is_active=True)
        row.is_active = _is_active(data)
        row.save()
    elif kind == "anomaly":
        values = _required(data, "rule_kind", "threshold")
        if values["rule_kind"] not in ReviewRule.Kind.values:
            raise ValidationFailed({"rule_kind": [_("Choose one of the listed values.")]})
        return review_rule_change(
            actor=actor,
            kind=values["rule_kind"],
            threshold=values["threshold"],
            is_active=bool(data.get("is_active")),
        )
    elif kind == "delete":
        model = RULE_MODELS.get(str(data.get("target", "")))
        row = model.objects.filter(pk=data.get("id")).first() if model else None
        if row is None:
            raise ValidationFailed({"id": [_("No such rule.")]})
        label = str(row)
        audit_record(actor=actor, action=AuditAction.CAPTURE_RULE_DELETED, note=label)
        row.delete()
        return None
    else:
        raise ValidationFailed({"kind": [_("Unknown kind of rule.")]})
    audit_record(actor=actor, action=AuditAction.CAPTURE_RULE_SAVED, target=row, note=str(row))
    return row


def capture_rules_context() -> dict[str, Any]:
    """Everything the rules page lists, with the choices its forms offer."""
    return {
        "assignment_rules": AssignmentRule.objects.select_related("industry", "team", "owner"),
        "domains": EmailDomain.objects.all(),
        "chat_rules": ChatTagRule.objects.all(),
        "anomaly_rules": ReviewRule.objects.exclude(kind=ReviewRule.Kind.DUPLICATE),
        "industries": Industry.objects.filter(parent__isnull=True).order_by("name"),
        "teams": Team.objects.all(),
        "owners": User.objects.filter(is_active=True, role__in=[Role.REP, Role.MANAGER]),
        "chat_fields": ChatTagRule.Field.choices,
        "chat_ops": ChatTagRule.Op.choices,
    }


# --- Merges: leads follow their customer and contact (registered in apps.py for kehu.dedupe)


def leads_of_customer(customer_id: int) -> list[int]:
    return list(Lead.objects.filter(customer_id=customer_id).values_list("pk", flat=True))


def leads_of_contact(contact_id: int) -> list[int]:
    return list(Lead.objects.filter(contact_id=contact_id).values_list("pk", flat=True))


@transaction.atomic
def leads_move(*, actor: User, ids: list[int], customer: Customer) -> list[int]:
    """Give these web-form leads (with their consent records) to another customer: a merge,
    or its undo. One audit entry for the batch."""
    moved = list(
        Lead.objects.filter(pk__in=ids).exclude(customer=customer).values_list("pk", flat=True)
    )
    if moved:
        Lead.objects.filter(pk__in=moved).update(customer=customer)
        audit_record(
            actor=actor, action=AuditAction.LEAD_MOVED, target=customer, changes={"leads": moved}
        )
    return moved


@transaction.atomic
def leads_move_to_contact(*, actor: User, ids: list[int], contact: Contact) -> list[int]:
    """Point these leads at another contact of the same person (a merge folds two into one)."""
    moved = list(
        Lead.objects.filter(pk__in=ids).exclude(contact=contact).values_list("pk", flat=True)
    )
    if moved:
        Lead.objects.filter(pk__in=moved).update(contact=contact)
        audit_record(
            actor=actor,
            action=AuditAction.LEAD_MOVED,
            target=contact,
            changes={"leads": moved, "contact_id": [None, contact.pk]},
        )
    return moved


# --- Web-form leads: kehu.intake.capture.leads decides, these write


def lead_record(**fields: Any) -> Lead:
    """Store one web-form submission, its consent and what became of it (the caller audits)."""
    return Lead.objects.create(**fields)


def assignment_rule_advance(*, rule: AssignmentRule, user: User) -> None:
    """Move a round-robin rule's cursor to the rep it just gave a lead."""
    rule.last_assigned = user
    rule.save(update_fields=["last_assigned"])


@transaction.atomic
def leads_anonymise(*, lead_ids: list[int], tombstone: str) -> int:
    """Erasure (issue 19): a web-form lead keeps its date, outcome and consent wording; the
    person's name, numbers, message and address go."""
    values = {"name": tombstone, "email": "", "mobile": "", "message": "", "ip": None}
    return Lead.objects.filter(pk__in=lead_ids).update(**blind_values(Lead, values))
