"""/api/v1/capture/*, /api/v1/leads and /api/v1/review/*: capture and the review queue."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, ValidationError

from kehu.accounts.models import Role
from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import ErrorOut, errors
from kehu.core.errors import PermissionDenied, ValidationFailed
from kehu.core.middleware import client_ip
from kehu.core.ratelimit import rate_limit_hit
from kehu.core.schema_errors import schema_error_message
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get_for

from .cards import read_card
from .leads import lead_submit
from .models import AssignmentRule, ChatTagRule, EmailDomain
from .services import capture_rule_save, card_save, chat_commit, chat_draft

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
    consent_purposes: list[str] = Field(
        default_factory=list,
        description="the consent the person gave (marketing, service, …), recorded with the basis",
    )
    consent_basis: str = Field("", description="how and when they agreed; needed with purposes")
    consent_lawful_basis: str = Field(
        "",
        description="consent, contract, existing_customer (service only) or none; default: "
        "consent with purposes, else none",
    )
    consent_wording_version: str = Field("", description="the version of the wording agreed to")


class CardSavedOut(Schema):
    customer_no: str
    contact_id: int


@router.post("/capture/card", response={200: CardOut, **errors(422)})
def capture_card(request: AuthedRequest, image: File[UploadedFile]) -> dict[str, str]:
    """Read a business card photo; nothing is saved until the user confirms (/capture/card/save)."""
    if image.size and image.size > MAX_CARD_BYTES:
        raise ValidationFailed({"image": [_("The image is larger than 10 MB.")]})
    try:
        return read_card(image.read()).as_json()
    except (OSError, ValueError) as exc:
        raise ValidationFailed({"image": [_("Cannot read this image.")]}) from exc


@router.post("/capture/card/save", response={201: CardSavedOut, **errors(202, 403, 404, 409, 422)})
def capture_card_save(request: AuthedRequest, payload: CardSaveIn) -> Status:
    data = payload.model_dump()
    purposes, basis = data.pop("consent_purposes"), data.pop("consent_basis")
    lawful_basis = data.pop("consent_lawful_basis")
    wording_version = data.pop("consent_wording_version")
    customer = None
    if data.pop("customer_no"):
        customer = _writable(request, payload.customer_no)
    customer, contact = card_save(
        actor=request.user,
        fields=data,
        customer=customer,
        consent_purposes=purposes,
        consent_basis=basis,
        consent_lawful_basis=lawful_basis,
        consent_wording_version=wording_version,
    )
    contact_id = contact.pk if contact is not None else None
    return Status(201, {"customer_no": customer.customer_no, "contact_id": contact_id})


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


def _writable(request: AuthedRequest, customer_no: str) -> Customer:
    return customer_get_for(request.user, customer_no, for_change=True)


@router.post("/capture/chat", response={200: ChatOut, **errors(403, 404, 409, 422)})
def capture_chat(request: AuthedRequest, payload: ChatIn) -> dict[str, Any]:
    """The draft opportunity card for a message; saved only with "commit": true."""
    if not payload.text.strip():
        raise ValidationFailed({"text": [_("Paste the message.")]})
    if payload.customer_no and not payload.commit:
        customer_get_for(request.user, payload.customer_no)  # 404 when out of scope
    draft = chat_draft(payload.text)
    out = draft.as_json()
    if payload.commit:
        if not payload.customer_no:
            raise ValidationFailed({"customer_no": [_("Choose the customer to save the card on.")]})
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


class LeadOut(Schema):
    ok: bool


LEAD_FORM = LeadIn.model_json_schema()
LEAD_BODY = {
    "requestBody": {
        "content": {
            media_type: {"schema": LEAD_FORM}
            for media_type in (
                "application/json",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            )
        }
    }
}


def lead_rate_limited(ip: str | None) -> bool:
    """One more submission from this client address, counted in the shared cache."""
    return rate_limit_hit(
        f"lead:{ip or 'unknown'}",
        limit=settings.KEHU_LEAD_RATE_LIMIT,
        window=settings.KEHU_LEAD_RATE_WINDOW,
    )


@router.post(
    "/leads",
    auth=None,
    response={201: LeadOut, 422: ErrorOut, 429: ErrorOut},
    openapi_extra=LEAD_BODY,
)
def lead_create(request: HttpRequest) -> Status:
    """Public web-form endpoint: no session, no cookies (so no CSRF token); a JSON object or a
    form. Rate-limited per client address (KEHU_LEAD_RATE_LIMIT an hour; behind a proxy listed
    in KEHU_TRUSTED_PROXIES, the address it forwards)."""
    if request.content_type == "application/json":
        try:
            raw = json.loads(request.body or b"{}")
        except json.JSONDecodeError as exc:
            raise ValidationFailed({"request": [_("Send JSON or a form.")]}) from exc
        if not isinstance(raw, dict):
            raise ValidationFailed({"request": [_("Send an object.")]})
    else:
        raw = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    try:
        data = LeadIn.model_validate(raw).model_dump()
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"]) or "request"
            errors.setdefault(field, []).append(schema_error_message(dict(error)))
        raise ValidationFailed(errors) from exc
    ip = client_ip(request)
    if lead_rate_limited(ip):
        message = _("Too many submissions; try again later.")
        return Status(429, {"detail": message, "code": "rate_limited"})
    if data.pop("homepage"):
        return Status(201, {"ok": True})  # a bot: answer like a success, keep nothing
    lead_submit(data=data, ip=ip)
    return Status(201, {"ok": True})


# --- Admin-editable rules


def _admin(request: AuthedRequest) -> None:
    if getattr(request.user, "role", None) != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator may read or change capture rules."))


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


# The rules service speaks the rules page's field names; the API's differ for the ids.
ASSIGNMENT_FIELDS = {"industry_id": "industry", "team_id": "team", "owner_id": "owner"}


def _assignment_save(request: AuthedRequest, payload: AssignmentRuleIO, rule_id: int | None) -> Any:
    data = payload.model_dump(exclude={"id"})
    data = {ASSIGNMENT_FIELDS.get(k, k): v for k, v in data.items()}
    try:
        return capture_rule_save(actor=request.user, kind="assignment", data=data, rule_id=rule_id)
    except ValidationFailed as exc:
        names = {v: k for k, v in ASSIGNMENT_FIELDS.items()}
        raise ValidationFailed({names.get(k, k): v for k, v in exc.errors.items()}) from exc


@router.get("/leads/rules", response={200: list[AssignmentRuleIO], **errors(403)})
def assignment_rules(request: AuthedRequest) -> Any:
    _admin(request)
    return AssignmentRule.objects.all()


@router.post("/leads/rules", response={201: AssignmentRuleIO, **errors(403, 422)})
def assignment_rule_create(request: AuthedRequest, payload: AssignmentRuleIO) -> Status:
    return Status(201, _assignment_save(request, payload, None))


@router.put("/leads/rules/{rule_id}", response={200: AssignmentRuleIO, **errors(403, 404, 422)})
def assignment_rule_change(request: AuthedRequest, rule_id: int, payload: AssignmentRuleIO) -> Any:
    return _assignment_save(request, payload, rule_id)


@router.get("/leads/domains", response={200: list[DomainIO], **errors(403)})
def domain_list(request: AuthedRequest) -> Any:
    _admin(request)
    return EmailDomain.objects.all()


@router.post("/leads/domains", response={201: DomainIO, **errors(403, 422)})
def domain_create(request: AuthedRequest, payload: DomainIO) -> Status:
    data = payload.model_dump(exclude={"id"})
    return Status(201, capture_rule_save(actor=request.user, kind="domain", data=data))


@router.get("/capture/chat-rules", response=list[ChatRuleIO])
def chat_rules(request: AuthedRequest) -> Any:
    return ChatTagRule.objects.all()


@router.post("/capture/chat-rules", response={201: ChatRuleIO, **errors(403, 422)})
def chat_rule_create(request: AuthedRequest, payload: ChatRuleIO) -> Status:
    data = payload.model_dump(exclude={"id"})
    return Status(201, capture_rule_save(actor=request.user, kind="chat", data=data))


@router.put("/capture/chat-rules/{rule_id}", response={200: ChatRuleIO, **errors(403, 404, 422)})
def chat_rule_change(request: AuthedRequest, rule_id: int, payload: ChatRuleIO) -> Any:
    data = payload.model_dump(exclude={"id"})
    return capture_rule_save(actor=request.user, kind="chat", data=data, rule_id=rule_id)
