"""Customers and contacts under /api/v1: thin edges over selectors and services."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from kehu.accounts.models import Role
from kehu.accounts.requests import AuthedRequest
from kehu.audit.actions import action_label
from kehu.audit.conflicts import conflict_shown
from kehu.audit.display import names_for, note_label
from kehu.audit.models import AuditEntry
from kehu.core.api_utils import (
    capped_count_arms,
    errors,
    etag_of,
    paged,
    payload_data,
    version_edited,
)
from kehu.core.errors import NotFound, PermissionDenied, ValidationFailed, one_of
from kehu.core.regions import LEVEL_NAMES, region_children, region_get

from . import services
from .audit_log import shown_changes
from .custom_fields import custom_filter_params
from .masking import (
    free_text_echo_kept,
    free_text_shown,
    mask_changes,
    sensitive_custom_names,
)
from .merged import customer_merged_into_for
from .models import Contact, Customer, Industry, Source
from .pull_volume import pull_rows
from .schemas import (
    ContactIn,
    ContactOut,
    ContactPage,
    ContactPatch,
    CustomerDetailOut,
    CustomerIn,
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    DivisionOut,
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
    customer_list_scope,
    customer_order_known,
    customer_ordered,
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
    region: str | None = None  # a GB/T 2260 code: everything under it (4403 or 440300: 深圳市)
    kind: str | None = None
    quality: str | None = None
    incomplete: str | None = None
    pool: bool | None = None  # true: no owner (unassigned, or in a team's pool)
    tag: list[str] | None = None  # repeatable; with tag_mode all (default), any or none
    tag_mode: str | None = None
    octant: list[str] | None = None  # the value row (kehu.value, issue 17): repeatable
    grade: list[str] | None = None
    lifecycle: list[str] | None = None
    rfm_min: str | None = None
    rfm_max: str | None = None
    tag_type: str | None = None  # a tag type's code (GET /api/v1/tag-types): any tag of it
    created_from: str | None = None  # dates, inclusive, in the user's time zone
    created_to: str | None = None
    last_contact_from: str | None = None
    last_contact_to: str | None = None
    won_from: str | None = None  # became 成交 (won) from / to these days, whatever the status now
    won_to: str | None = None
    idle_days: str | None = None  # no interaction for at least this many days (or never)
    external_id: str | None = None
    customer_no: str | None = None  # comma-separated customer numbers (at most 1,000)
    segment: str | None = None  # a saved segment's id (/api/v1/segments): its filters, and these
    order: str = "newest"
    cursor: str | None = None
    limit: int | None = None


def decision_maker_prefetch() -> Prefetch:
    return Prefetch(
        "contacts",
        queryset=Contact.objects.filter(
            decision_role=Contact.DecisionRole.DECISION_MAKER, has_left=False
        ).order_by("-is_primary", "id"),
        to_attr="decision_makers",
    )


def customers_for_output(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    return queryset.select_related("industry", "sub_industry", "source", "owner", "team")


@router.get(
    "/customers", response={200: CustomerPage, **errors(403, 422)}, summary="List customers"
)
def customer_list(request: AuthedRequest, filters: Query[CustomerFilters]) -> dict[str, object]:
    """Customers in scope. Besides the declared filters, `cf_<key>=value` filters by a custom
    field (GET /api/v1/custom-fields): equal to the value, or, for multiple choice, including
    it. `order=cf_<key>` (or `-cf_<key>`) sorts by a custom field: numbers, amounts and dates
    by value, choices in the field's order, text by its characters; empty values last."""
    params = filters.model_dump()
    params.update(custom_filter_params(request.GET))  # cf_<key>=value: custom fields
    params["_user"] = request.user
    if not customer_order_known(filters.order):
        raise ValidationFailed({"order": [one_of([*ORDERINGS, "cf_<key>", "-cf_<key>"])]})
    scoped, arms = customer_list_scope(request.user)
    filtered = customer_filter(Customer.objects.all(), params)
    queryset, order = customer_ordered(scoped & filtered, filters.order)
    page = paged(
        customers_for_output(queryset).prefetch_related(decision_maker_prefetch()),
        order=order,
        cursor=filters.cursor,
        limit=filters.limit,
        arms=arms,
        **capped_count_arms(filtered, arms),
    )
    pull_rows(actor=request.user, rows=len(page["items"]), refuse=True)  # the daily volume rule
    return page


@router.post(
    "/customers",
    response={201: CustomerOut, **errors(202, 403, 409, 422)},
    summary="Create a customer",
)
def customer_create(request: AuthedRequest, payload: CustomerIn) -> Status:
    customer = services.customer_create(actor=request.user, data=payload_data(payload))
    return Status(201, customer_get_for(request.user, customer.customer_no))


class MovedOut(Schema):
    detail: str
    code: str
    customer_no: str
    url: str


@router.get(
    "/customers/{customer_no}",
    response={200: CustomerDetailOut, 302: MovedOut, **errors(404)},
    summary="One customer",
)
def customer_detail(request: AuthedRequest, customer_no: str, response: HttpResponse) -> Any:
    """The customer; a number merged into another answers 302 with the survivor's address."""
    try:
        customer = customer_get_for(request.user, customer_no)
        response["ETag"] = etag_of(customer.version)
        return customer
    except NotFound:
        survivor = customer_merged_into_for(request.user, customer_no)
        if survivor is None:
            raise
    url = reverse("api:customer_detail", kwargs={"customer_no": survivor.customer_no})
    response["Location"] = url
    message = _("%(old)s was merged into %(new)s.")
    return Status(
        302,
        {
            "detail": message % {"old": customer_no.upper(), "new": survivor.customer_no},
            "code": "merged",
            "customer_no": survivor.customer_no,
            "url": url,
        },
    )


@router.patch(
    "/customers/{customer_no}",
    response={200: CustomerOut, **errors(202, 403, 404, 409, 422)},
    summary="Change a customer",
)
def customer_update(
    request: AuthedRequest, customer_no: str, payload: CustomerPatch, response: HttpResponse
) -> Customer:
    """Send `version` (or `If-Match` with the ETag the GET returned) to be told of another
    person's change in between: 409 `version_conflict` with both versions, nothing saved.
    Without it the change applies to whatever is current (last write wins)."""
    customer = customer_get_for(request.user, customer_no, for_change=True)
    data = version_edited(request, payload_data(payload))
    data = free_text_echo_kept(request.user, customer, customer, data, ("notes",))
    with conflict_shown(yours=data, current=lambda: _customer_now(request, customer_no)):
        services.customer_update(actor=request.user, customer=customer, data=data)
    customer = customer_get_for(request.user, customer_no)
    response["ETag"] = etag_of(customer.version)
    return customer


def _customer_now(request: AuthedRequest, customer_no: str) -> dict[str, Any]:
    customer = customer_get_for(request.user, customer_no)
    return CustomerOut.from_orm(customer, context={"request": request}).model_dump(mode="json")


@router.post(
    "/customers/{customer_no}/status",
    response={200: CustomerOut, **errors(202, 403, 404, 409, 422)},
    summary="Change status with a reason",
)
def customer_change_status(request: AuthedRequest, customer_no: str, payload: StatusIn) -> Customer:
    customer = customer_get_for(request.user, customer_no, for_change=True)
    services.customer_change_status(
        actor=request.user, customer=customer, status=payload.status, reason=payload.reason
    )
    return customer_get_for(request.user, customer_no)


@router.delete(
    "/customers/{customer_no}",
    response={204: None, **errors(403, 404)},
    summary="Delete a customer",
)
def customer_delete(request: AuthedRequest, customer_no: str) -> Status:
    customer = customer_get_for(request.user, customer_no, for_change=True)
    services.customer_delete(actor=request.user, customer=customer)
    return Status(204, None)


@router.get(
    "/customers/{customer_no}/history",
    response={200: HistoryPage, **errors(404, 422)},
    summary="Change history",
)
def customer_history(
    request: AuthedRequest, customer_no: str, cursor: str | None = None, limit: int | None = None
) -> dict[str, object]:
    customer = customer_get_for(request.user, customer_no)

    def items(entries: list[AuditEntry]) -> list[dict[str, object]]:
        names = names_for(entries)
        sources = dict(AuditEntry.Source.choices)
        rows: list[dict[str, object]] = []
        sensitive = sensitive_custom_names()
        for e in entries:
            changes = mask_changes(request.user, customer, e.changes, sensitive=sensitive)
            rows.append(
                {
                    "id": e.id,
                    "created_at": e.created_at,
                    "actor": e.actor_name,
                    "actor_name": names.actor(e.actor_name),
                    "action": e.action,
                    "action_label": action_label(e.action),
                    "target": free_text_shown(request.user, customer, e.target_label),
                    "changes": changes,
                    "changes_shown": shown_changes(e.target_type, changes, names=names),
                    "note": e.note,
                    "note_label": note_label(e.note),
                    "source": e.source,
                    "source_label": str(sources.get(e.source, e.source)),
                }
            )
        return rows

    entries = AuditEntry.objects.filter(customer_id=customer.pk)
    return paged(entries, order="-id", cursor=cursor, limit=limit, items=items)


class BulkIn(Schema):
    customer_nos: list[str]
    changes: dict[str, Any]


class BulkHeldOut(Schema):
    customer_no: str
    pending_id: int | None


class BulkOut(Schema):
    updated: int
    held: list[BulkHeldOut]


@router.post(
    "/review/bulk-update",
    response={200: BulkOut, **errors(202, 403, 404, 409, 422)},
    tags=["review"],
    summary="Bulk change",
)
def customer_bulk_update(request: AuthedRequest, payload: BulkIn) -> dict[str, Any]:
    """Change the status or owner (or other fields) of several customers. More customers than
    the bulk rule allows wait for review as one item (202); each customer also meets every
    guard of a single change (a held one is listed under `held`)."""
    if not payload.customer_nos:
        raise ValidationFailed({"customer_nos": [_("Choose at least one customer.")]})
    customers = [customer_get_for(request.user, no, for_change=True) for no in payload.customer_nos]
    return services.customer_bulk_update(
        actor=request.user, customers=customers, changes=payload.changes
    )


# --- Contacts


@router.get(
    "/customers/{customer_no}/contacts",
    response={200: ContactPage, **errors(404, 422)},
    tags=["contacts"],
)
def contact_list(
    request: AuthedRequest, customer_no: str, cursor: str | None = None, limit: int | None = None
) -> dict[str, object]:
    customer = customer_get_for(request.user, customer_no)
    contacts = customer.contacts.select_related("customer")
    return paged(contacts, order="id", cursor=cursor, limit=limit)


@router.post(
    "/customers/{customer_no}/contacts",
    response={201: ContactOut, **errors(202, 403, 404, 409, 422)},
    tags=["contacts"],
)
def contact_create(request: AuthedRequest, customer_no: str, payload: ContactIn) -> Status:
    customer = customer_get_for(request.user, customer_no, for_change=True)
    return Status(
        201,
        services.contact_create(actor=request.user, customer=customer, data=payload_data(payload)),
    )


@router.get(
    "/contacts/{contact_id}", response={200: ContactOut, **errors(404, 422)}, tags=["contacts"]
)
def contact_detail(request: AuthedRequest, contact_id: int, response: HttpResponse) -> Contact:
    contact = contact_get_for(request.user, contact_id)
    response["ETag"] = etag_of(contact.version)
    return contact


@router.patch(
    "/contacts/{contact_id}",
    response={200: ContactOut, **errors(202, 403, 404, 409, 422)},
    tags=["contacts"],
)
def contact_update(
    request: AuthedRequest, contact_id: int, payload: ContactPatch, response: HttpResponse
) -> Contact:
    """`version` or `If-Match`: as for a customer's change (409 `version_conflict`)."""
    contact = contact_get_for(request.user, contact_id, for_change=True)
    data = version_edited(request, payload_data(payload))
    with conflict_shown(yours=data, current=lambda: _contact_now(request, contact_id)):
        contact = services.contact_update(actor=request.user, contact=contact, data=data)
    response["ETag"] = etag_of(contact.version)
    return contact


def _contact_now(request: AuthedRequest, contact_id: int) -> dict[str, Any]:
    contact = contact_get_for(request.user, contact_id)
    return ContactOut.from_orm(contact, context={"request": request}).model_dump(mode="json")


@router.delete(
    "/contacts/{contact_id}", response={204: None, **errors(403, 404, 422)}, tags=["contacts"]
)
def contact_delete(request: AuthedRequest, contact_id: int) -> Status:
    contact = contact_get_for(request.user, contact_id, for_change=True)
    services.contact_delete(actor=request.user, contact=contact)
    return Status(204, None)


# --- Dictionaries


@router.get("/industries", response=list[IndustryOut], tags=["dictionaries"])
def industry_list(request: AuthedRequest) -> list[dict[str, object]]:
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


@router.get(
    "/regions",
    response={200: list[DivisionOut], **errors(422)},
    tags=["dictionaries"],
    summary="Administrative divisions (省/市/区)",
)
def region_list(request: AuthedRequest, parent: str = "") -> list[dict[str, object]]:
    """The provinces, or with `parent` (a GB/T 2260 code) the divisions one level below it."""
    if parent.strip() and region_get(parent) is None:
        raise ValidationFailed(
            {
                "parent": [
                    _("'%(value)s' is not an administrative division code.") % {"value": parent}
                ]
            }
        )
    return [
        {
            "code": r.code,
            "name": r.name,
            "level": LEVEL_NAMES[r.level - 1],
            "has_children": bool(region_children(r.code)),
        }
        for r in region_children(parent.strip())
    ]


@router.get("/sources", response=list[SourceOut], tags=["dictionaries"])
def source_list(request: AuthedRequest) -> QuerySet[Source]:
    return Source.objects.all()


@router.post("/sources", response={201: SourceOut, **errors(403, 409, 422)}, tags=["dictionaries"])
def source_create(request: AuthedRequest, payload: SourceIn) -> Status:
    if getattr(request.user, "role", None) != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator may add customer sources."))
    return Status(
        201, services.source_create(actor=request.user, name=payload.name, code=payload.code)
    )
