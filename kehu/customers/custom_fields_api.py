"""/api/v1/custom-fields: the administrator's custom fields of customers and contacts (issue 15).

Anyone signed in reads the definitions (clients need them to fill `custom_fields`); only an
administrator adds, changes or archives them. Values travel in the customer and contact
resources' `custom_fields` object.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict

from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors, payload_data
from kehu.core.errors import ValidationFailed

from . import services
from .models import CustomField

router = Router(tags=["custom fields"])


class CustomFieldOut(Schema):
    id: int
    entity: str
    key: str
    label: str
    kind: str
    choices: list[str]
    required: bool
    help_text: str
    position: int
    show_in_list: bool
    personal_class: str  # ordinary, personal or sensitive (kehu.core.personal)
    is_active: bool
    created_at: datetime
    updated_at: datetime


class CustomFieldIn(Schema):
    model_config = ConfigDict(extra="forbid")

    entity: str
    key: str
    label: str
    kind: str = "text"
    choices: list[str] | None = None
    required: bool | None = None
    help_text: str | None = None
    position: int | None = None
    show_in_list: bool | None = None
    personal_class: str | None = None  # ordinary (default), personal, sensitive


class CustomFieldPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    key: str | None = None  # accepted only unchanged: the key is fixed
    kind: str | None = None  # likewise the type
    label: str | None = None
    choices: list[str] | None = None
    required: bool | None = None
    help_text: str | None = None
    position: int | None = None
    show_in_list: bool | None = None
    personal_class: str | None = None  # ordinary (default), personal, sensitive
    is_active: bool | None = None  # true brings an archived field back


class CustomFieldFilters(Schema):
    entity: str | None = None
    include_archived: bool = False


@router.get(
    "/custom-fields",
    response={200: list[CustomFieldOut], **errors(422)},
    summary="List custom fields",
)
def custom_field_list(
    request: AuthedRequest, filters: Query[CustomFieldFilters]
) -> QuerySet[CustomField]:
    fields = CustomField.objects.order_by("entity", "position", "id")
    if filters.entity:
        if filters.entity not in CustomField.Entity.values:
            raise ValidationFailed({"entity": ["customer or contact."]})
        fields = fields.filter(entity=filters.entity)
    if not filters.include_archived:
        fields = fields.filter(is_active=True)
    return fields


@router.post(
    "/custom-fields",
    response={201: CustomFieldOut, **errors(403, 422)},
    summary="Add a custom field (administrators)",
)
def custom_field_create(request: AuthedRequest, payload: CustomFieldIn) -> Status:
    data: dict[str, Any] = payload_data(payload)
    return Status(201, services.custom_field_create(actor=request.user, data=data))


@router.patch(
    "/custom-fields/{field_id}",
    response={200: CustomFieldOut, **errors(403, 404, 422)},
    summary="Change a custom field (administrators)",
)
def custom_field_update(
    request: AuthedRequest, field_id: int, payload: CustomFieldPatch
) -> CustomField:
    field = get_object_or_404(CustomField, pk=field_id)
    return services.custom_field_update(actor=request.user, field=field, data=payload_data(payload))


@router.delete(
    "/custom-fields/{field_id}",
    response={204: None, **errors(403, 404, 422)},
    summary="Archive a custom field (administrators; values are kept)",
)
def custom_field_archive(request: AuthedRequest, field_id: int) -> Status:
    field = get_object_or_404(CustomField, pk=field_id)
    services.custom_field_archive(actor=request.user, field=field)
    return Status(204, None)
