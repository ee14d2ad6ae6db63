"""Customers and contacts under /api/v1: thin edges over selectors and services."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from kehu.accounts.models import Role
from kehu.accounts.policy import scope_for
from kehu.audit.models import AuditEntry
from kehu.core.api_utils import page_limit, payload_data
from kehu.core.errors import ValidationFailed
from kehu.core.guards import change_guard
from kehu.core.pagination import keyset_page

from . import services
from .masking import mask_changes
from .models import Contact, Customer, Industry, Source
from .schemas import (
    ContactIn,
    ContactOut,
    ContactPage,
    CustomerIn,
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    HistoryPage,
    IndustryOut,
    SourceIn,
    SourceOut,
    StatusIn,
)
from .selectors import (
    ORDERINGS,
    contact_get_for,
    customer_filter,
    customer_get_for,
    customer_queryset_for,
)

router = Router(tags=["customers"])


class CustomerFilters(Schema):
    q: str | None = None
    industry: str | None = None
    sub_industry: str | None = None
    status: str | None = None
    size: str | None = None
    source: str | None = None
    budget_band: str | None = None
    budget_min: str | None = None
    budget_max: str | None = None
    owner: str | None = None
    team: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    kind: str | None = None
    quality: str | None = None
    incomplete: str | None = None
    external_id: str | None = None
    order: str = "newest"
    cursor: str | None = None
    limit: int | None = None


def decision_maker_prefetch() -> Prefetch[Contact]:
    return Prefetch(
        "contacts",
        queryset=Contact.objects.filter(
            decision_role=Contact.DecisionRole.DECISION_MAKER, has_left=False
        ).order_by("-is_primary", "id"),
        to_attr="decision_makers",
    )


def customers_for_output(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    return queryset.select_related("industry", "sub_industry", "source", "owner", "team")


def _writable(request: HttpRequest, customer_no: str) -> Customer:
    """The customer, if visible (else 404) and changeable by this user (else 403)."""
    customer = customer_get_for(request.user, customer_no)
    if not scope_for(
        request.user, Customer.objects.filter(pk=customer.pk), for_write=True
    ).exists():
        raise services.PermissionDenied("You may view this customer but not change it.")
    return customer


@router.get("/customers", response=CustomerPage, summary="List customers")
def customer_list(request: HttpRequest, filters: Query[CustomerFilters]) -> dict[str, object]:
    params = filters.model_dump()
    params["_user"] = request.user
    order = ORDERINGS.get(filters.order)
    if order is None:
        raise ValidationFailed({"order": [f"One of: {', '.join(ORDERINGS)}."]})
    queryset = customer_filter(customer_queryset_for(request.user), params)
    page = keyset_page(
        customers_for_output(queryset).prefetch_related(decision_maker_prefetch()),
        order=order,
        cursor=filters.cursor,
        limit=page_limit(filters.limit),
    )
    return {
        "items": page.items,
        "next_cursor": page.next_cursor,
        "has_more": bool(page.next_cursor),
    }


@router.post("/customers", response={201: CustomerOut}, summary="Create a customer")
def customer_create(request: HttpRequest, payload: CustomerIn) -> Status:
    data = payload_data(payload)
    change_guard(action="customer_create", actor=request.user, data=data)
    data.pop("allow_duplicate", None)
    customer = services.customer_create(actor=request.user, data=data)
    return Status(201, customer_get_for(request.user, customer.customer_no))


@router.get("/customers/{customer_no}", response=CustomerOut, summary="One customer")
def customer_detail(request: HttpRequest, customer_no: str) -> Customer:
    return customer_get_for(request.user, customer_no)


@router.patch("/customers/{customer_no}", response=CustomerOut, summary="Change a customer")
def customer_update(request: HttpRequest, customer_no: str, payload: CustomerPatch) -> Customer:
    customer = _writable(request, customer_no)
    data = payload_data(payload)
    change_guard(action="customer_update", actor=request.user, customer=customer, data=data)
    data.pop("allow_duplicate", None)
    services.customer_update(actor=request.user, customer=customer, data=data)
    return customer_get_for(request.user, customer_no)


@router.post(
    "/customers/{customer_no}/status", response=CustomerOut, summary="Change status with a reason"
)
def customer_change_status(request: HttpRequest, customer_no: str, payload: StatusIn) -> Customer:
    customer = _writable(request, customer_no)
    change_guard(
        action="customer_update",
        actor=request.user,
        customer=customer,
        data={"status": payload.status, "status_reason": payload.reason},
    )
    services.customer_change_status(
        actor=request.user, customer=customer, status=payload.status, reason=payload.reason
    )
    return customer_get_for(request.user, customer_no)


@router.delete("/customers/{customer_no}", response={204: None}, summary="Delete a customer")
def customer_delete(request: HttpRequest, customer_no: str) -> Status:
    customer = _writable(request, customer_no)
    services.customer_delete(actor=request.user, customer=customer)
    return Status(204, None)


@router.get("/customers/{customer_no}/history", response=HistoryPage, summary="Change history")
def customer_history(
    request: HttpRequest, customer_no: str, cursor: str | None = None, limit: int | None = None
) -> dict[str, object]:
    customer = customer_get_for(request.user, customer_no)
    page = keyset_page(
        AuditEntry.objects.filter(customer_id=customer.pk),
        order="-id",
        cursor=cursor,
        limit=page_limit(limit),
    )
    items = [
        {
            "id": e.id,
            "created_at": e.created_at,
            "actor": e.actor_name,
            "action": e.action,
            "target": e.target_label,
            "changes": mask_changes(request.user, customer, e.changes),
            "note": e.note,
            "source": e.source,
        }
        for e in page.items
    ]
    return {"items": items, "next_cursor": page.next_cursor, "has_more": bool(page.next_cursor)}


# --- Contacts


@router.get("/customers/{customer_no}/contacts", response=ContactPage, tags=["contacts"])
def contact_list(
    request: HttpRequest, customer_no: str, cursor: str | None = None, limit: int | None = None
) -> dict[str, object]:
    customer = customer_get_for(request.user, customer_no)
    page = keyset_page(
        customer.contacts.select_related("customer"),
        order="id",
        cursor=cursor,
        limit=page_limit(limit),
    )
    return {
        "items": page.items,
        "next_cursor": page.next_cursor,
        "has_more": bool(page.next_cursor),
    }


@router.post("/customers/{customer_no}/contacts", response={201: ContactOut}, tags=["contacts"])
def contact_create(request: HttpRequest, customer_no: str, payload: ContactIn) -> Status:
    customer = _writable(request, customer_no)
    return Status(
        201,
        services.contact_create(actor=request.user, customer=customer, data=payload_data(payload)),
    )


@router.get("/contacts/{contact_id}", response=ContactOut, tags=["contacts"])
def contact_detail(request: HttpRequest, contact_id: int) -> Contact:
    return contact_get_for(request.user, contact_id)


@router.patch("/contacts/{contact_id}", response=ContactOut, tags=["contacts"])
def contact_update(request: HttpRequest, contact_id: int, payload: ContactIn) -> Contact:
    contact = contact_get_for(request.user, contact_id)
    _writable(request, contact.customer.customer_no)
    return services.contact_update(actor=request.user, contact=contact, data=payload_data(payload))


@router.delete("/contacts/{contact_id}", response={204: None}, tags=["contacts"])
def contact_delete(request: HttpRequest, contact_id: int) -> Status:
    contact = contact_get_for(request.user, contact_id)
    _writable(request, contact.customer.customer_no)
    services.contact_delete(actor=request.user, contact=contact)
    return Status(204, None)


# --- Dictionaries


@router.get("/industries", response=list[IndustryOut], tags=["dictionaries"])
def industry_list(request: HttpRequest) -> list[dict[str, object]]:
    industries = list(Industry.objects.filter(is_active=True).select_related("parent"))
    children: dict[int, list[str]] = {}
    for industry in industries:
        if industry.parent_id:
            children.setdefault(industry.parent_id, []).append(industry.name)
    return [
        {
            "id": i.id,
            "name": i.name,
            "parent": i.parent.name if i.parent_id and i.parent else None,
            "children": children.get(i.id, []),
        }
        for i in industries
    ]


@router.get("/sources", response=list[SourceOut], tags=["dictionaries"])
def source_list(request: HttpRequest) -> QuerySet[Source]:
    return Source.objects.all()


@router.post("/sources", response={201: SourceOut}, tags=["dictionaries"])
def source_create(request: HttpRequest, payload: SourceIn) -> Status:
    if getattr(request.user, "role", None) != Role.ADMIN:
        raise services.PermissionDenied("Only an administrator may add customer sources.")
    return Status(
        201, services.source_create(actor=request.user, name=payload.name, code=payload.code)
    )
