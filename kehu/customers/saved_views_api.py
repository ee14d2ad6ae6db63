"""/api/v1/saved-views: the customer list's saved views (filters, sort, columns), personal or
shared with the team."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl

from django.urls import reverse
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors

from . import services
from .models import SavedView
from .saved_view_selectors import saved_view_get_for, saved_views_for

router = Router(tags=["customers"])


class SavedViewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    # The list's parameters as /api/v1/customers and the list page take them, e.g.
    # {"status": "won", "tag": "VIP", "order": "-last_interaction", "cols": "status,owner"}.
    params: dict[str, str] = {}
    shared: bool = Field(False, description="shown to the caller's team too")


class SavedViewOut(Schema):
    id: int
    name: str
    owner: str
    owner_name: str
    shared: bool
    params: dict[str, str]
    url: str
    updated_at: datetime

    @staticmethod
    def resolve_owner(obj: SavedView) -> str:
        return obj.owner.username

    @staticmethod
    def resolve_owner_name(obj: SavedView) -> str:
        return obj.owner.label

    @staticmethod
    def resolve_shared(obj: SavedView) -> bool:
        return obj.team_id is not None

    @staticmethod
    def resolve_params(obj: SavedView) -> dict[str, str]:
        return dict(parse_qsl(obj.query))

    @staticmethod
    def resolve_url(obj: SavedView) -> str:
        return f"{reverse('customer-list')}?{obj.query}&view={obj.pk}"


@router.get("/saved-views", response={200: list[SavedViewOut]}, summary="Saved list views")
def saved_view_list(request: AuthedRequest) -> list[SavedView]:
    """The caller's own views and those shared with their team."""
    return list(saved_views_for(request.user))


@router.post(
    "/saved-views",
    response={201: SavedViewOut, **errors(422)},
    summary="Save a list view (a view of the same name is replaced)",
)
def saved_view_save(request: AuthedRequest, payload: SavedViewIn) -> Status:
    view = services.saved_view_save(
        actor=request.user, name=payload.name, params=payload.params, shared=payload.shared
    )
    return Status(201, saved_view_get_for(request.user, view.pk))


@router.delete(
    "/saved-views/{view_id}", response={204: None, **errors(403, 404, 422)}, summary="Delete a view"
)
def saved_view_delete(request: AuthedRequest, view_id: int) -> Status:
    view = saved_view_get_for(request.user, view_id)
    services.saved_view_delete(actor=request.user, view=view)
    return Status(204, None)
