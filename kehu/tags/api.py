"""/api/v1/customers/{no}/tags: read and apply tags."""

from __future__ import annotations

from ninja import Router, Schema

from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors
from kehu.customers.selectors import customer_get_for

from .selectors import tag_names_for
from .services import tag_apply, tag_remove

router = Router(tags=["tags"])


class TagsOut(Schema):
    customer_no: str
    tags: list[str]


class TagIn(Schema):
    tag: str
    remove: bool = False


@router.get("/customers/{customer_no}/tags", response={200: TagsOut, **errors(404)})
def customer_tags(request: AuthedRequest, customer_no: str) -> dict[str, object]:
    customer = customer_get_for(request.user, customer_no)
    return {"customer_no": customer.customer_no, "tags": tag_names_for(customer)}


@router.post("/customers/{customer_no}/tags", response={200: TagsOut, **errors(202, 403, 404, 422)})
def customer_tag(request: AuthedRequest, customer_no: str, payload: TagIn) -> dict[str, object]:
    """Apply (or, with remove, take off) one tag."""
    customer = customer_get_for(request.user, customer_no, for_change=True)
    if payload.remove:
        tag_remove(actor=request.user, customer=customer, name=payload.tag)
    else:
        tag_apply(actor=request.user, customer=customer, name=payload.tag)
    return {"customer_no": customer.customer_no, "tags": tag_names_for(customer)}
