"""/api/v1/tag-rules (keyword auto-tags) and /api/v1/tag-decay-rules (decaying tags); the
history of what they did (/api/v1/customers/{no}/tag-changes). Everyone signed in reads;
administrators and data stewards change, preview and run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors
from kehu.core.errors import NotFound, PermissionDenied
from kehu.customers.selectors import customer_get_for

from .models import KeywordTagRule, TagChange, TagDecayRule
from .rules.apply import rule_preview
from .rules.decay import decay_preview
from .rules.services import (
    can_edit_tag_rules,
    decay_rule_save,
    keyword_rule_run_start,
    keyword_rule_save,
    tag_rule_delete,
)

router = Router(tags=["tag rules"])
HISTORY = 100


class KeywordRuleIn(Schema):
    name: str = Field(max_length=100)
    tag: str = Field(max_length=50, description="A tag of the library, by name.")
    keywords: list[str] = Field(max_length=50)
    negations: list[str] | None = Field(default=None, max_length=50)
    texts: list[KeywordTagRule.Text] | None = None
    is_active: bool = True


class KeywordRuleOut(Schema):
    id: int
    name: str
    tag: str
    keywords: list[str]
    negations: list[str]
    texts: list[str]
    is_active: bool
    last_run_at: datetime | None
    last_run_count: int


class DecayRuleIn(Schema):
    name: str = Field(max_length=100)
    kind: TagDecayRule.Kind
    tag: str = Field(max_length=50)
    replace_with: str | None = Field(default=None, max_length=50, description="None: removed.")
    days: int | None = Field(default=None, ge=1, le=3650)
    streak: int | None = Field(default=None, ge=1, le=50)
    outcomes: list[str] = Field(default_factory=list, max_length=20)
    is_active: bool = True


class DecayRuleOut(Schema):
    id: int
    name: str
    kind: str
    tag: str
    replace_with: str | None
    days: int | None
    streak: int | None
    outcomes: list[str]
    is_active: bool
    last_run_at: datetime | None
    last_run_count: int


class KeywordPreviewOut(Schema):
    matched: int = Field(description="Customers whose texts match.")
    new: int = Field(description="Of these, customers without the tag yet.")
    samples: list[str]


class DecayPreviewOut(Schema):
    customers: int = Field(description="Customers the rule would change now.")


class JobRef(Schema):
    job_id: int
    url: str


class TagChangeOut(Schema):
    customer_no: str
    kind: str
    source: str
    rule_name: str
    from_tag: str
    to_tag: str
    evidence: str
    created_at: datetime


def _keyword_out(rule: KeywordTagRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "name": rule.name,
        "tag": rule.tag.name,
        "keywords": rule.keywords,
        "negations": rule.negations,
        "texts": rule.texts,
        "is_active": rule.is_active,
        "last_run_at": rule.last_run_at,
        "last_run_count": rule.last_run_count,
    }


def _decay_out(rule: TagDecayRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "name": rule.name,
        "kind": rule.kind,
        "tag": rule.tag.name,
        "replace_with": rule.replace_with.name if rule.replace_with else None,
        "days": rule.days,
        "streak": rule.streak,
        "outcomes": rule.outcomes,
        "is_active": rule.is_active,
        "last_run_at": rule.last_run_at,
        "last_run_count": rule.last_run_count,
    }


def _changes_out(rows: Any) -> list[dict[str, Any]]:
    return [
        {
            "customer_no": c.customer.customer_no,
            "kind": c.kind,
            "source": c.source,
            "rule_name": c.rule_name,
            "from_tag": c.from_tag,
            "to_tag": c.to_tag,
            "evidence": c.evidence,
            "created_at": c.created_at,
        }
        for c in rows.select_related("customer")[:HISTORY]
    ]


def _editor(request: AuthedRequest) -> None:
    if not can_edit_tag_rules(request.user):
        raise PermissionDenied(_("Only administrators and data stewards may change tag rules."))


def _keyword(rule_id: int) -> KeywordTagRule:
    rule = KeywordTagRule.objects.select_related("tag").filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No such rule."))
    return rule


def _decay(rule_id: int) -> TagDecayRule:
    rule = TagDecayRule.objects.select_related("tag", "replace_with").filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No such rule."))
    return rule


# --- Keyword rules


@router.get("/tag-rules", response=list[KeywordRuleOut])
def keyword_rules(request: AuthedRequest) -> list[dict[str, Any]]:
    return [_keyword_out(r) for r in KeywordTagRule.objects.select_related("tag")]


@router.post("/tag-rules", response={201: KeywordRuleOut, **errors(403, 422)})
def keyword_rule_create(request: AuthedRequest, payload: KeywordRuleIn) -> Status:
    rule = keyword_rule_save(actor=request.user, data=payload.dict())
    return Status(201, _keyword_out(rule))


@router.get("/tag-rules/{rule_id}", response={200: KeywordRuleOut, **errors(404, 422)})
def keyword_rule_get(request: AuthedRequest, rule_id: int) -> dict[str, Any]:
    return _keyword_out(_keyword(rule_id))


@router.put("/tag-rules/{rule_id}", response={200: KeywordRuleOut, **errors(403, 404, 422)})
def keyword_rule_change(
    request: AuthedRequest, rule_id: int, payload: KeywordRuleIn
) -> dict[str, Any]:
    _editor(request)
    rule = keyword_rule_save(actor=request.user, data=payload.dict(), rule_id=_keyword(rule_id).pk)
    return _keyword_out(rule)


@router.delete("/tag-rules/{rule_id}", response={204: None, **errors(403, 404, 422)})
def keyword_rule_delete(request: AuthedRequest, rule_id: int) -> Status:
    _editor(request)
    tag_rule_delete(actor=request.user, rule=_keyword(rule_id))
    return Status(204, None)


@router.post(
    "/tag-rules/{rule_id}/preview", response={200: KeywordPreviewOut, **errors(403, 404, 422)}
)
def keyword_rule_preview(request: AuthedRequest, rule_id: int) -> dict[str, Any]:
    """How many customers a run over every existing text would tag, with sample sentences."""
    _editor(request)
    return rule_preview(_keyword(rule_id))


@router.post("/tag-rules/{rule_id}/apply", response={202: JobRef, **errors(403, 404, 422)})
def keyword_rule_apply(request: AuthedRequest, rule_id: int) -> Status:
    """Queue a run over every existing text on the task worker; follow it at the job's url."""
    _editor(request)
    job = keyword_rule_run_start(actor=request.user, rule=_keyword(rule_id))
    return Status(202, {"job_id": job.pk, "url": f"/api/v1/jobs/{job.pk}"})


@router.get(
    "/tag-rules/{rule_id}/changes", response={200: list[TagChangeOut], **errors(403, 404, 422)}
)
def keyword_rule_changes(request: AuthedRequest, rule_id: int) -> list[dict[str, Any]]:
    """The latest customers the rule tagged (administrators and data stewards)."""
    _editor(request)
    return _changes_out(TagChange.objects.filter(keyword_rule=_keyword(rule_id)))


# --- Decay rules


@router.get("/tag-decay-rules", response=list[DecayRuleOut])
def decay_rules(request: AuthedRequest) -> list[dict[str, Any]]:
    return [_decay_out(r) for r in TagDecayRule.objects.select_related("tag", "replace_with")]


@router.post("/tag-decay-rules", response={201: DecayRuleOut, **errors(403, 422)})
def decay_rule_create(request: AuthedRequest, payload: DecayRuleIn) -> Status:
    rule = decay_rule_save(actor=request.user, data=payload.dict())
    return Status(201, _decay_out(rule))


@router.get("/tag-decay-rules/{rule_id}", response={200: DecayRuleOut, **errors(404, 422)})
def decay_rule_get(request: AuthedRequest, rule_id: int) -> dict[str, Any]:
    return _decay_out(_decay(rule_id))


@router.put("/tag-decay-rules/{rule_id}", response={200: DecayRuleOut, **errors(403, 404, 422)})
def decay_rule_change(request: AuthedRequest, rule_id: int, payload: DecayRuleIn) -> dict[str, Any]:
    _editor(request)
    rule = decay_rule_save(actor=request.user, data=payload.dict(), rule_id=_decay(rule_id).pk)
    return _decay_out(rule)


@router.delete("/tag-decay-rules/{rule_id}", response={204: None, **errors(403, 404, 422)})
def decay_rule_delete(request: AuthedRequest, rule_id: int) -> Status:
    _editor(request)
    tag_rule_delete(actor=request.user, rule=_decay(rule_id))
    return Status(204, None)


@router.post(
    "/tag-decay-rules/{rule_id}/preview", response={200: DecayPreviewOut, **errors(403, 404, 422)}
)
def decay_rule_preview(request: AuthedRequest, rule_id: int) -> dict[str, Any]:
    """How many customers the rule would change if it ran now (a dry run)."""
    _editor(request)
    return {"customers": decay_preview(_decay(rule_id))}


@router.get(
    "/tag-decay-rules/{rule_id}/changes",
    response={200: list[TagChangeOut], **errors(403, 404, 422)},
)
def decay_rule_changes(request: AuthedRequest, rule_id: int) -> list[dict[str, Any]]:
    _editor(request)
    return _changes_out(TagChange.objects.filter(decay_rule=_decay(rule_id)))


# --- A customer's history


@router.get(
    "/customers/{customer_no}/tag-changes", response={200: list[TagChangeOut], **errors(404)}
)
def customer_tag_changes(request: AuthedRequest, customer_no: str) -> list[dict[str, Any]]:
    """What keyword and decay rules did to this customer's tags, latest first."""
    customer = customer_get_for(request.user, customer_no)
    return _changes_out(TagChange.objects.filter(customer=customer))
