"""Who may see and change which rows. Every list, detail, search, export and report starts here.

Models declare SCOPE_CUSTOMER: the path from the row to its customer ("" for the customer
itself, "customer" for contacts, interactions, ...). Rows outside the caller's scope are treated
as missing (404), never as forbidden.

A rep sees the customers they own, those shared with them (CustomerShare, read only) and their
team's pool (team set, no owner). A data steward given a business unit (User.steward_unit) sees
and changes only that team's customers; without one, every customer. Field-level rules live
here too: who sees phones, e-mails and ID numbers whole (can_see_pii), who may reveal them
(can_reveal_pii, audited by the caller), who may edit finance fields and who sees amounts only
as bands.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Exists, Model, Q, QuerySet
from django.utils.translation import gettext as _

from kehu.core.errors import NotFound, PermissionDenied

from .models import Role, Team, User

M = TypeVar("M", bound=Model)

# Roles that read every customer. Finance reads them for their orders, contracts and amounts
# (in full); it sees personal contact data masked (not in PII_ROLES) and changes nothing.
READ_ALL = {Role.ADMIN, Role.EXECUTIVE, Role.STEWARD, Role.FINANCE}
# Roles that may create customers.
CREATE_ROLES = {Role.REP, Role.MANAGER, Role.ADMIN, Role.STEWARD}
WON = "won"
PROSPECT_STATUSES = ("lead", "intent")


def _path(model: type[Model], field: str) -> str:
    prefix = getattr(model, "SCOPE_CUSTOMER", None)
    if prefix is None:
        raise TypeError(f"{model.__name__} has no SCOPE_CUSTOMER; it cannot be scoped")
    return f"{prefix}__{field}" if prefix else field


def _customer_id_path(model: type[Model]) -> str:
    explicit = getattr(model, "SCOPE_CUSTOMER_ID", None)
    if explicit:
        return str(explicit)
    return _path(model, "pk")


def has_shares_and_pool(user: Any) -> tuple[bool, bool]:
    """Whether anything is shared with the user, and (reps) whether their team pool holds a
    customer: one query, each EXISTS answered from an index (the shares' user index; the pool's
    team + no owner). A yes is kept on the user object: including a branch that has since
    emptied changes nothing (the branch itself is evaluated by the database), so only a no is
    asked again, and a request that scopes several queries (a search scopes two) asks once."""
    wants_pool = user.role == Role.REP and bool(user.team_id)
    known: tuple[bool, bool] = getattr(user, "_policy_shares_and_pool", (False, False))
    if known[0] and (known[1] or not wants_pool):
        return known
    checks: dict[str, Any] = {"shares": Exists(user.customer_shares.all())}
    if wants_pool:
        checks["pool"] = Exists(Team(pk=user.team_id).customers.filter(owner__isnull=True))
    row = User.objects.filter(pk=user.pk).order_by().values(**checks).first() or {}
    found = (bool(row.get("shares")), bool(row.get("pool")))
    user._policy_shares_and_pool = (known[0] or found[0], known[1] or found[1])
    return found


def _shared_and_pool(user: Any, model: type[Model], owner: str, team: str) -> Q | None:
    """Customers shared with the user and (reps) the team pool; None when there are none.

    Checked first so the usual case keeps the simple owner filter (the search index answers
    it from scope tokens alone).
    """
    has_shares, has_pool = has_shares_and_pool(user)
    extra: Q | None = None
    if has_shares:
        extra = Q(**{f"{_customer_id_path(model)}__in": user.customer_shares.values("customer_id")})
    if has_pool and user.role == Role.REP and user.team_id:
        in_pool = Q(**{team: user.team_id, f"{owner}__isnull": True})
        extra = in_pool if extra is None else extra | in_pool
    return extra


def steward_unit_id(user: Any) -> int | None:
    """The team a data steward is limited to (User.steward_unit); None: not a steward, or a
    steward with the whole company's reach."""
    if getattr(user, "role", None) != Role.STEWARD:
        return None
    unit: int | None = getattr(user, "steward_unit_id", None)
    return unit


def reads_all(user: Any) -> bool:
    """Whether the user sees every customer: READ_ALL roles, less a steward limited to a unit."""
    return getattr(user, "role", None) in READ_ALL and steward_unit_id(user) is None


def visibility_q(user: Any, model: type[Model], *, for_write: bool = False) -> Q | None:
    """The filter for rows this user may see (or change); None means every row."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    role = user.role
    owner = _path(model, "owner")
    team = _path(model, "team")
    status = _path(model, "status")
    unit = steward_unit_id(user)
    if unit is not None:
        return Q(**{team: unit})  # a unit's steward: its members' customers and its pool
    if not for_write and role in (Role.REP, Role.MANAGER):
        own = (
            Q(**{team: user.team_id})
            if role == Role.MANAGER and user.team_id
            else Q(**{owner: user.pk})
        )
        extra = _shared_and_pool(user, model, owner, team)
        return own if extra is None else own | extra
    if for_write:
        if role in (Role.ADMIN, Role.STEWARD):
            return None
        if role == Role.MANAGER:
            return Q(**{team: user.team_id}) if user.team_id else Q(**{owner: user.pk})
        if role == Role.REP:
            return Q(**{owner: user.pk})
        return Q(pk__in=[])
    if role in READ_ALL:
        return None
    if role == Role.SUPPORT:
        return Q(**{status: WON})
    if role == Role.MARKETING:
        return Q(**{f"{status}__in": PROSPECT_STATUSES})
    return Q(pk__in=[])


def scope_arms(condition: Q | None) -> list[Q] | None:
    """The OR branches of a visibility condition (own or team, shared, team pool), each a Q
    whose rows an index gives in order; None for "every row". A list reads each branch on its
    own (kehu.core.pagination.keyset_page, arms): no index delivers an OR in order, so the
    database would sort every visible row for each page."""
    if condition is None:
        return None
    if condition.connector != Q.OR or condition.negated or len(condition.children) < 2:
        return [condition]
    return [c if isinstance(c, Q) else Q(c) for c in condition.children]


def scope_with_arms(user: User | Any, queryset: QuerySet[M]) -> tuple[QuerySet[M], list[Q] | None]:
    """scope_for (for viewing) and the branches of its condition (scope_arms), asked once."""
    condition = visibility_q(user, queryset.model)
    scoped = queryset if condition is None else queryset.filter(condition)
    return scoped, scope_arms(condition)


def scope_for(user: User | Any, queryset: QuerySet[M], *, for_write: bool = False) -> QuerySet[M]:
    """Rows of queryset this user may see (or change, with for_write)."""
    condition = visibility_q(user, queryset.model, for_write=for_write)
    return queryset if condition is None else queryset.filter(condition)


def can_change(user: User | Any, row: Model) -> bool:
    """Whether the user may change this row (it is inside their scope for writing)."""
    model = type(row)
    return scope_for(user, model._default_manager.filter(pk=row.pk), for_write=True).exists()


def get_for(
    user: User | Any,
    queryset: QuerySet[M],
    *,
    for_change: bool = False,
    what: str = "",
    **lookup: Any,
) -> M:
    """The one row matching `lookup` that the user may see, for viewing or for changing.

    Outside what the user may see: NotFound (404, as if it did not exist). Visible but not
    theirs to change (with for_change): PermissionDenied (403). Every API operation and page
    reaches a scoped row through this (the apps' `*_get_for` selectors call it).
    """
    row = scope_for(user, queryset).filter(**lookup).first()
    label = what or str(queryset.model._meta.verbose_name)
    if row is None:
        raise NotFound(_("No such %(what)s.") % {"what": label})
    if for_change and not can_change(user, row):
        raise PermissionDenied(_("You may view this %(what)s but not change it.") % {"what": label})
    return row


def can_create_customer(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in CREATE_ROLES


def can_change_company_settings(user: Any) -> bool:
    """Administrators change the company's settings; every signed-in user reads them."""
    return getattr(user, "is_authenticated", False) and user.role == Role.ADMIN


def can_log_interaction(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in (
        Role.REP,
        Role.MANAGER,
        Role.SUPPORT,
        Role.ADMIN,
        Role.STEWARD,
    )


def interaction_scope(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """Customers on which this user may log an interaction (support: the won ones it sees)."""
    if getattr(user, "role", None) == Role.SUPPORT:
        return scope_for(user, queryset)
    return scope_for(user, queryset, for_write=True)


# --- Field level -------------------------------------------------------------------------------
# Roles that see amounts only as bands (e.g. 10-50万), never exact.
AMOUNT_BAND_ROLES = {Role.SUPPORT}
# Roles that see phones, e-mails and ID numbers whole everywhere (besides owner and manager).
PII_ROLES = {Role.ADMIN}
# Roles that may edit finance fields (budgets, order and opportunity amounts) besides users
# granted User.can_edit_finance.
FINANCE_ROLES = {Role.REP, Role.MANAGER, Role.ADMIN}


def can_see_pii(user: Any, customer: Any) -> bool:
    """Phones, e-mails and ID numbers whole: the owner, the owner's (team's) manager, PII_ROLES."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in PII_ROLES:
        return True
    if customer.owner_id and customer.owner_id == user.pk:
        return True
    return bool(user.role == Role.MANAGER and user.team_id and customer.team_id == user.team_id)


def can_reveal_pii(user: Any, customer: Any) -> bool:
    """May ask for one whole value (the caller audits it): those who see it, and grantees."""
    return can_see_pii(user, customer) or bool(getattr(user, "can_reveal_pii", False))


# Fields support may reveal to call a won customer (with a reason, audited).
CALL_FIELDS = frozenset({"phone", "mobile", "landline"})


def can_reveal_to_call(user: Any, customer: Any) -> bool:
    """Support reveals a won (成交) customer's phone numbers to call them, one at a time and
    giving a reason (customers.access.pii_reveal audits it). Only CALL_FIELDS; a whole number
    typed into search is not such a reveal (search_masked keeps can_reveal_pii)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.role == Role.SUPPORT
        and customer.status == WON
    )


# The one list of finance fields, per model: changed only by FINANCE_ROLES or users granted
# can_edit_finance, on every path (page, API, import, merge); shown as bands to
# AMOUNT_BAND_ROLES. A budget band is a finance field too: it is the amount, rounded.
FINANCE_FIELDS: dict[str, frozenset[str]] = {
    "customers.customer": frozenset({"budget_amount", "budget_band"}),
    "opportunities.opportunity": frozenset({"expected_amount"}),
    "opportunities.order": frozenset({"amount", "lines"}),
    "opportunities.orderline": frozenset({"unit_price", "amount", "quantity"}),
}
AMOUNT_FIELDS = frozenset({"budget_amount", "expected_amount", "amount", "unit_price"})


def finance_fields_of(model_label: str) -> frozenset[str]:
    return FINANCE_FIELDS.get(model_label, frozenset())


def assert_finance_editable(
    user: Any, model_label: str, changed: set[str] | frozenset[str]
) -> None:
    """Raise PermissionDenied when `changed` holds a finance field this user may not change."""
    touched = changed & finance_fields_of(model_label)
    if user is None:
        return  # the system itself (rules, migrations) is not a person with a role
    if touched and not can_edit_finance(user):
        raise PermissionDenied(
            _("Your role may not change finance fields (%(fields)s).")
            % {"fields": ", ".join(sorted(touched))}
        )


def can_edit_finance(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role in FINANCE_ROLES or bool(getattr(user, "can_edit_finance", False))


def sees_amount_bands(user: Any) -> bool:
    """Support sees order and budget amounts only as bands."""
    return getattr(user, "role", None) in AMOUNT_BAND_ROLES


def can_share_customer(user: Any, customer: Any) -> bool:
    """The owner, the customer's team manager and administrators may share it."""
    role = getattr(user, "role", None)
    if role == Role.ADMIN:
        return True
    if role == Role.REP:
        return bool(customer.owner_id and customer.owner_id == user.pk)
    return bool(role == Role.MANAGER and user.team_id and customer.team_id == user.team_id)


def can_assign_pool(user: Any, customer: Any) -> bool:
    """Marketing puts unowned prospects into a team pool; managers and admins any customer."""
    role = getattr(user, "role", None)
    if role == Role.ADMIN:
        return True
    if role == Role.MARKETING:
        return customer.owner_id is None and customer.status in PROSPECT_STATUSES
    return bool(role == Role.MANAGER and user.team_id and customer.team_id == user.team_id)


def can_manage_oauth_applications(user: Any) -> bool:
    """Administrators register connected applications (OAuth), see their grants, revoke them."""
    return getattr(user, "is_authenticated", False) and user.role == Role.ADMIN


# Personal-data requests (issue 19): the register, a person's export, correction and erasure,
# retention policies. The data steward and administrators only.
PRIVACY_ROLES = {Role.ADMIN, Role.STEWARD}


def can_handle_privacy(user: Any) -> bool:
    """A request is answered over everything held about the person, whichever unit holds it,
    and a retention policy runs over the whole company: a steward limited to a business unit
    (issue 20) sees only the unit's customers, so these stay with the stewards who see the
    whole company and the administrators."""
    return getattr(user, "role", None) in PRIVACY_ROLES and steward_unit_id(user) is None
