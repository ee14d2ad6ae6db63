"""/api/v1/tags, /api/v1/tag-types, /api/v1/tags/requests and /api/v1/customers/{no}/tags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors
from kehu.core.errors import ValidationFailed
from kehu.core.text import clean_text
from kehu.customers.selectors import customer_get_for

from .models import Tag, TagType
from .selectors import customer_for_tagging, tag_items_for, tag_names_for
from .services import tag_apply, tag_remove
from .services.library import (
    can_maintain_library,
    tag_create,
    tag_retire,
    tag_type_delete,
    tag_type_save,
    tag_update,
    tags_with_usage,
)
from .services.requests import tag_request_create

router = Router(tags=["tags"])


class TagTypeOut(Schema):
    id: int
    code: str
    name: str
    description: str
    position: int
    is_builtin: bool


class TagOut(Schema):
    id: int
    name: str
    type: str  # the type's code; "" for an unclassified tag
    type_name: str
    description: str
    exclusive_group: str
    is_active: bool
    usage: int


class TagCreateIn(Schema):
    name: str
    type: str | None = None  # a type's code, name or id
    description: str = ""
    exclusive_group: str = ""


class TagPatchIn(Schema):
    name: str | None = None
    type: str | None = None
    description: str | None = None
    exclusive_group: str | None = None
    is_active: bool | None = None


class TagTypeIn(Schema):
    name: str | None = None
    code: str | None = None
    description: str | None = None
    position: int | None = None


class TagRequestIn(Schema):
    name: str
    type: str | None = None
    description: str = ""
    reason: str = ""
    customer_no: str | None = None  # the customer it is for: gets the tag when approved


class TagRequestOut(Schema):
    id: int
    status: str
    name: str


class TagItemOut(Schema):
    tag: str
    type: str
    type_code: str
    exclusive_group: str
    source: str
    source_label: str
    applied_by: str
    provenance: str
    added_at: datetime
    note: str
    evidence: str
    last_triggered_at: datetime | None


class TagsOut(Schema):
    customer_no: str
    tags: list[str]
    items: list[TagItemOut]
    replaced: list[str] = []


class TagIn(Schema):
    tag: str
    remove: bool = False
    note: str = ""


def _tag_out(tag: Tag) -> dict[str, Any]:
    return {
        "id": tag.pk,
        "name": tag.name,
        "type": tag.type.code if tag.type else "",
        "type_name": tag.type.name if tag.type else "",
        "description": tag.description,
        "exclusive_group": tag.exclusive_group,
        "is_active": tag.is_active,
        "usage": getattr(tag, "usage", None) or tag.customer_tags.count(),
    }


def _given(payload: Schema) -> dict[str, Any]:
    return {k: v for k, v in payload.dict().items() if v is not None}


@router.get("/tags", response={200: list[TagOut], **errors(422)})
def tag_list(
    request: AuthedRequest, type: str = "", q: str = "", include_retired: bool = False
) -> list[dict[str, Any]]:
    """The library: every active tag (retired ones too for its maintainers, on request) with
    its type, description, exclusive group and how many customers carry it."""
    q = clean_text(q)
    for key, value, limit in (("q", q, 50), ("type", type, 30)):
        if len(value) > limit:
            raise ValidationFailed({key: [_("At most %(n)s characters.") % {"n": limit}]})
    retired = include_retired and can_maintain_library(request.user)
    rows = tags_with_usage(type_code=clean_text(type), q=q, include_retired=retired)
    return [_tag_out(tag) for tag in rows]


@router.post("/tags", response={201: TagOut, **errors(403, 422)})
def tag_add(request: AuthedRequest, payload: TagCreateIn) -> Status:
    """Add a tag to the library (administrators and data stewards)."""
    return Status(201, _tag_out(tag_create(actor=request.user, data=payload.dict())))


@router.post("/tags/requests", response={201: TagRequestOut, **errors(404, 422)})
def tag_request(request: AuthedRequest, payload: TagRequestIn) -> Status:
    """Ask for a new library tag: a review item for the data steward; anyone may."""
    customer = None
    if payload.customer_no:
        customer = customer_for_tagging(request.user, payload.customer_no)
    item = tag_request_create(actor=request.user, data=payload.dict(), customer=customer)
    return Status(201, {"id": item.pk, "status": item.status, "name": item.payload["name"]})


@router.patch("/tags/{tag_id}", response={200: TagOut, **errors(403, 404, 422)})
def tag_change(request: AuthedRequest, tag_id: int, payload: TagPatchIn) -> dict[str, Any]:
    tag = get_object_or_404(Tag, pk=tag_id)
    return _tag_out(tag_update(actor=request.user, tag=tag, data=_given(payload)))


@router.post("/tags/{tag_id}/retire", response={200: TagOut, **errors(403, 404)})
def tag_retire_op(request: AuthedRequest, tag_id: int) -> dict[str, Any]:
    """Retire a tag: nobody applies it any more; the customers who have it keep it."""
    tag = get_object_or_404(Tag, pk=tag_id)
    return _tag_out(tag_retire(actor=request.user, tag=tag))


@router.get("/tag-types", response={200: list[TagTypeOut]})
def tag_type_list(request: AuthedRequest) -> list[TagType]:
    return list(TagType.objects.all())


@router.post("/tag-types", response={201: TagTypeOut, **errors(403, 422)})
def tag_type_add(request: AuthedRequest, payload: TagTypeIn) -> Status:
    """Add a tag type (administrators)."""
    return Status(201, tag_type_save(actor=request.user, data=_given(payload)))


@router.patch("/tag-types/{type_id}", response={200: TagTypeOut, **errors(403, 404, 422)})
def tag_type_change(request: AuthedRequest, type_id: int, payload: TagTypeIn) -> TagType:
    row = get_object_or_404(TagType, pk=type_id)
    data = _given(payload)
    data.pop("code", None)
    return tag_type_save(actor=request.user, data=data, tag_type=row)


@router.delete("/tag-types/{type_id}", response={204: None, **errors(403, 404, 409)})
def tag_type_remove(request: AuthedRequest, type_id: int) -> Status:
    """Delete a type of one's own (the standard's five stay)."""
    tag_type_delete(actor=request.user, tag_type=get_object_or_404(TagType, pk=type_id))
    return Status(204, None)


def _tags_out(customer: Any, replaced: list[str] | None = None) -> dict[str, Any]:
    return {
        "customer_no": customer.customer_no,
        "tags": tag_names_for(customer),
        "items": tag_items_for(customer),
        "replaced": replaced or [],
    }


@router.get("/customers/{customer_no}/tags", response={200: TagsOut, **errors(404)})
def customer_tags(request: AuthedRequest, customer_no: str) -> dict[str, object]:
    """The customer's tags: `tags` (names) and `items` (type, who or what applied each, when,
    note, evidence, last triggered)."""
    return _tags_out(customer_get_for(request.user, customer_no))


@router.post("/customers/{customer_no}/tags", response={200: TagsOut, **errors(202, 403, 404, 422)})
def customer_tag(request: AuthedRequest, customer_no: str, payload: TagIn) -> dict[str, object]:
    """Apply a library tag (or, with remove, take one off); `replaced` names the tag of the same
    exclusive group it replaced."""
    customer = customer_for_tagging(request.user, customer_no)
    if payload.remove:
        tag_remove(actor=request.user, customer=customer, name=payload.tag)
        return _tags_out(customer)
    note = clean_text(payload.note)
    if len(note) > 300:
        raise ValidationFailed({"note": [_("At most %(n)s characters.") % {"n": 300}]})
    done = tag_apply(actor=request.user, customer=customer, name=payload.tag, note=note)
    return _tags_out(customer, done.replaced)
