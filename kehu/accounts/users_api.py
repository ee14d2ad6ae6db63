"""/api/v1/users: administrators list, create and change users and reset passwords
(kehu.accounts.users holds the rules; the page /users/ and `kehu user` use the same)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict

from kehu.core.api_utils import Paged, errors, paged, payload_data
from kehu.core.errors import NotFound, PermissionDenied

from . import users
from .auth import require_verified_session
from .models import User
from .requests import AuthedRequest

router = Router(tags=["users"])


class UserOut(Schema):
    username: str
    display_name: str
    email: str
    role: str
    role_label: str
    team: str | None
    steward_unit: str | None
    is_active: bool
    can_reveal_pii: bool
    can_edit_finance: bool
    requires_two_factor: bool
    last_login: datetime | None
    date_joined: datetime


class NewUserOut(UserOut):
    temporary_password: str | None = None


class UserPage(Paged):
    items: list[UserOut]


class UserPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    display_name: str | None = None
    email: str | None = None
    role: str | None = None
    team: str | None = None
    steward_unit: str | None = None
    can_reveal_pii: bool | None = None
    can_edit_finance: bool | None = None
    requires_two_factor: bool | None = None
    is_active: bool | None = None


class UserIn(UserPatch):
    username: str
    password: str | None = None


class PasswordIn(Schema):
    model_config = ConfigDict(extra="forbid")

    password: str | None = None


class PasswordOut(Schema):
    username: str
    temporary_password: str | None


class UserFilters(Schema):
    q: str | None = None
    role: str | None = None
    team: str | None = None
    active: bool | None = None
    cursor: str | None = None
    limit: int | None = None


def user_out(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role,
        "role_label": str(user.get_role_display()),
        "team": user.team.name if user.team else None,
        "steward_unit": user.steward_unit.name if user.steward_unit else None,
        "is_active": user.is_active,
        "can_reveal_pii": user.can_reveal_pii,
        "can_edit_finance": user.can_edit_finance,
        "requires_two_factor": user.requires_two_factor,
        "last_login": user.last_login,
        "date_joined": user.date_joined,
    }


def _admin(request: AuthedRequest) -> None:
    if not users.can_manage_users(request.user):
        raise PermissionDenied(_("Only an administrator may manage users."))


def _user(username: str) -> User:
    user = User.objects.select_related("team", "steward_unit").filter(username=username).first()
    if user is None:
        raise NotFound(_("No user named %(name)s.") % {"name": username})
    return user


@router.get("/users", response={200: UserPage, **errors(403, 422)}, summary="List users")
def user_list(request: AuthedRequest, filters: Query[UserFilters]) -> dict[str, object]:
    _admin(request)
    queryset = User.objects.select_related("team", "steward_unit")
    if filters.q:
        queryset = queryset.filter(
            Q(username__icontains=filters.q) | Q(display_name__icontains=filters.q)
        )
    if filters.role:
        queryset = queryset.filter(role=filters.role)
    if filters.team:
        queryset = queryset.filter(team__name=filters.team)
    if filters.active is not None:
        queryset = queryset.filter(is_active=filters.active)
    return paged(queryset, order="id", cursor=filters.cursor, limit=filters.limit, item=user_out)


@router.post(
    "/users",
    response={201: NewUserOut, **errors(403, 422)},
    summary="Create a user (a temporary password is returned once when none is given)",
)
def user_create(request: AuthedRequest, payload: UserIn) -> Status:
    _admin(request)
    data = payload_data(payload)
    user, password = users.user_create(actor=request.user, data=data)
    generated = None if data.get("password") else password
    return Status(201, {**user_out(user), "temporary_password": generated})


@router.get("/users/{username}", response={200: UserOut, **errors(403, 404, 422)})
def user_detail(request: AuthedRequest, username: str) -> dict[str, object]:
    _admin(request)
    return user_out(_user(username))


@router.patch(
    "/users/{username}",
    response={200: UserOut, **errors(403, 404, 409, 422)},
    summary="Change a user's role, team, grants, two-factor or active state",
)
def user_update(request: AuthedRequest, username: str, payload: UserPatch) -> dict[str, object]:
    _admin(request)
    user = users.user_update(actor=request.user, user=_user(username), data=payload_data(payload))
    return user_out(User.objects.select_related("team", "steward_unit").get(pk=user.pk))


@router.post(
    "/users/{username}/password",
    response={200: PasswordOut, **errors(403, 404, 422)},
    summary="Reset a user's password (ends their sessions)",
)
def user_password(request: AuthedRequest, username: str, payload: PasswordIn) -> dict[str, object]:
    """Only from an administrator's signed-in session (verified where two-factor applies)."""
    require_verified_session(request)
    _admin(request)
    user = _user(username)
    new = users.user_password_reset(actor=request.user, user=user, password=payload.password or "")
    return {"username": user.username, "temporary_password": None if payload.password else new}
