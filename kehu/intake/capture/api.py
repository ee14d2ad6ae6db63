"""/api/v1/capture/*, /api/v1/leads and /api/v1/review/*: capture and the review queue."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import ConfigDict, ValidationError

from kehu.accounts.models import Role
from kehu.core.errors import ValidationFailed
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get_for

from .cards import read_card
from .leads import lead_submit
from .models import AssignmentRule, ChatTagRule, EmailDomain
from .services import card_save, chat_commit, chat_draft

router = Router(tags=["capture"])

MAX_CARD_BYTES = 10 * 1024 * 1024


# --- Business cards


class CardOut(Schema):
    name: str
    title: str
    company: str
    mobile: str
    phone: str
    email: str
    address: str
    website: str


class CardSaveIn(Schema):
    name: str
    title: str = ""
    company: str = ""
    mobile: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    website: str = ""
    customer_no: str = ""


class CardSavedOut(Schema):
    customer_no: str
    contact_id: int


@router.post("/capture/card", response=CardOut)
def capture_card(request: HttpRequest, image: File[UploadedFile]) -> dict[str, str]:
    """Read a business card photo; nothing is saved until the user confirms (/capture/card/save)."""
    if image.size and image.size > MAX_CARD_BYTES:
        raise ValidationFailed({"image": ["The image is larger than 10 MB."]})
    try:
        return read_card(image.read()).as_json()
    except (OSError, ValueError) as exc:
        raise ValidationFailed({"image": [f"Cannot read this image: {exc}"]}) from exc


@router.post("/capture/card/save", response={201: CardSavedOut})
def capture_card_save(request: HttpRequest, payload: CardSaveIn) -> Status:
    data = payload.model_dump()
    customer = None
    if data.pop("customer_no"):
        customer = _writable(request, payload.customer_no)
    customer, contact = card_save(actor=request.user, fields=data, customer=customer)
    return Status(201, {"customer_no": customer.customer_no, "contact_id": contact.pk})


# --- Chat capture


class ChatIn(Schema):
    text: str
    customer_no: str = ""
    commit: bool = False


class ChatOut(Schema):
    quantity: int | float | None
    quantity_max: int | float | None = None  # upper bound of a range ("20-30台": 20, 30)
    unit: str
    product: str
    budget_amount: int | float | None
    time_frame: str
    tags: list[str]
    opportunity_id: int | None = None
    interaction_id: int | None = None


def _writable(request: HttpRequest, customer_no: str) -> Customer:
    return customer_get_for(request.user, customer_no, for_change=True)


@router.post("/capture/chat", response=ChatOut)
def capture_chat(request: HttpRequest, payload: ChatIn) -> dict[str, Any]:
    """The draft opportunity card for a message; saved only with "commit": true."""
    if not payload.text.strip():
        raise ValidationFailed({"text": ["Paste the message."]})
    if payload.customer_no and not payload.commit:
        customer_get_for(request.user, payload.customer_no)  # 404 when out of scope
    draft = chat_draft(payload.text)
    out = draft.as_json()
    if payload.commit:
        if not payload.customer_no:
            raise ValidationFailed({"customer_no": ["Choose the customer to save the card on."]})
        customer = _writable(request, payload.customer_no)
        opportunity, interaction = chat_commit(
            actor=request.user, customer=customer, text=payload.text, draft=draft
        )
        out.update(opportunity_id=opportunity.pk, interaction_id=interaction.pk)
    return out


# --- Web-form leads (public)


class LeadIn(Schema):
    """Only the form's fields; anything else is refused."""

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    company: str = ""
    email: str = ""
    mobile: str = ""
    province: str = ""
    industry: str = ""
    message: str = ""
    consent: bool | str = False
    homepage: str = ""  # the honeypot: hidden from people, filled in by bots


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _rate_limited(ip: str | None) -> bool:
    key = f"kehu:lead-rate:{ip or 'unknown'}"
    window = settings.KEHU_LEAD_RATE_WINDOW
    if cache.add(key, 1, timeout=window):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        count = 1
    return count > settings.KEHU_LEAD_RATE_LIMIT


@router.post("/leads", auth=None, response={201: dict, 429: dict})
def lead_create(request: HttpRequest) -> Status:
    """Public web-form endpoint: no session, no cookies (so no CSRF token); rate-limited per IP."""
    if request.content_type == "application/json":
        try:
            raw = json.loads(request.body or b"{}")
        except json.JSONDecodeError as exc:
            raise ValidationFailed({"request": ["Send JSON or a form."]}) from exc
        if not isinstance(raw, dict):
            raise ValidationFailed({"request": ["Send an object."]})
    else:
        raw = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    try:
        data = LeadIn.model_validate(raw).model_dump()
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"]) or "request"
            message = "Unknown field." if error["type"] == "extra_forbidden" else error["msg"]
            errors.setdefault(field, []).append(message)
        raise ValidationFailed(errors) from exc
    ip = client_ip(request)
    if _rate_limited(ip):
        return Status(
            429, {"detail": "Too many submissions; try again later.", "code": "rate_limited"}
        )
    if data.pop("homepage"):
        return Status(201, {"ok": True})  # a bot: answer like a success, keep nothing
    lead_submit(data=data, ip=ip)
    return Status(201, {"ok": True})


# --- Admin-editable rules


def _admin(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) != Role.ADMIN:
        raise HttpError(403, "Only an administrator may change capture rules.")


class AssignmentRuleIO(Schema):
    id: int | None = None
    name: str
    priority: int = 100
    is_active: bool = True
    province: str = ""
    industry_id: int | None = None
    team_id: int | None = None
    owner_id: int | None = None


class DomainIO(Schema):
    id: int | None = None
    domain: str
    company: str


class ChatRuleIO(Schema):
    id: int | None = None
    tag: str
    field: ChatTagRule.Field
    op: ChatTagRule.Op
    value: str
    is_active: bool = True


def _upsert(model: Any, payload: Schema, rule_id: int | None = None) -> Any:
    data = payload.model_dump(exclude={"id"})
    if rule_id is None:
        return model.objects.create(**data)
    row = get_object_or_404(model, pk=rule_id)
    for key, value in data.items():
        setattr(row, key, value)
    row.save()
    return row


@router.get("/leads/rules", response=list[AssignmentRuleIO])
def assignment_rules(request: HttpRequest) -> Any:
    _admin(request)
    return AssignmentRule.objects.all()


@router.post("/leads/rules", response={201: AssignmentRuleIO})
def assignment_rule_create(request: HttpRequest, payload: AssignmentRuleIO) -> Status:
    _admin(request)
    return Status(201, _upsert(AssignmentRule, payload))


@router.put("/leads/rules/{rule_id}", response=AssignmentRuleIO)
def assignment_rule_change(request: HttpRequest, rule_id: int, payload: AssignmentRuleIO) -> Any:
    _admin(request)
    return _upsert(AssignmentRule, payload, rule_id)


@router.get("/leads/domains", response=list[DomainIO])
def domain_list(request: HttpRequest) -> Any:
    _admin(request)
    return EmailDomain.objects.all()


@router.post("/leads/domains", response={201: DomainIO})
def domain_create(request: HttpRequest, payload: DomainIO) -> Status:
    _admin(request)
    payload.domain = payload.domain.strip().lower().lstrip("@")
    return Status(201, _upsert(EmailDomain, payload))


@router.get("/capture/chat-rules", response=list[ChatRuleIO])
def chat_rules(request: HttpRequest) -> Any:
    return ChatTagRule.objects.all()


@router.post("/capture/chat-rules", response={201: ChatRuleIO})
def chat_rule_create(request: HttpRequest, payload: ChatRuleIO) -> Status:
    _admin(request)
    return Status(201, _upsert(ChatTagRule, payload))


@router.put("/capture/chat-rules/{rule_id}", response=ChatRuleIO)
def chat_rule_change(request: HttpRequest, rule_id: int, payload: ChatRuleIO) -> Any:
    _admin(request)
    return _upsert(ChatTagRule, payload, rule_id)
