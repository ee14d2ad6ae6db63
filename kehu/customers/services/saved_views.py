"""Saved views of the customer list: save (create, or replace by name), share with the team,
delete. Each audited."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import PermissionDenied, ValidationFailed
from kehu.core.text import clean_text

from ..columns import chosen_columns
from ..models import Customer, SavedView
from ..selectors import customer_filter, customer_order_known

# What a saved view keeps: the list's filters, its sort and its columns (never a page).
NOT_KEPT = ("cursor", "back", "view", "limit", "format")


def saved_view_params(params: dict[str, str], *, actor: User) -> dict[str, str]:
    """The params a view keeps, checked as the list checks them (ValidationFailed names the
    parameter)."""
    kept = {k: str(v).strip() for k, v in params.items() if k not in NOT_KEPT and str(v).strip()}
    order = kept.get("order", "")
    if order and not customer_order_known(order):  # a custom field's cf_<key> too
        raise ValidationFailed({"order": [_("Unknown sort order.")]})
    if "cols" in kept:
        kept["cols"] = ",".join(c.key for c in chosen_columns(kept["cols"]))
    customer_filter(Customer.objects.none(), {**kept, "_user": actor})
    return kept


@transaction.atomic
def saved_view_save(
    *, actor: User, name: str, params: dict[str, str], shared: bool = False
) -> SavedView:
    """Keep the list as `name` for the actor (a view of that name is replaced); `shared`
    shows it to the actor's team."""
    errors: dict[str, list[str]] = {}
    name = clean_text(name)
    if not name:
        errors["name"] = [_("Name the view.")]
    elif len(name) > 80:
        errors["name"] = [_("A view's name has at most 80 characters.")]
    if shared and not actor.team_id:
        errors["shared"] = [_("You are in no team, so there is no one to share the view with.")]
    if errors:
        raise ValidationFailed(errors)
    query = urlencode(sorted(saved_view_params(params, actor=actor).items()))
    if len(query) > 2000:
        raise ValidationFailed({"query": [_("These filters are too long to keep.")]})
    view = SavedView.objects.select_for_update().filter(owner=actor, name=name).first()
    before = {"query": view.query, "shared": view.team_id is not None} if view else None
    team_id = actor.team_id if shared else None
    if view is None:
        try:
            with transaction.atomic():  # two saves of one new name at once: the second updates
                view = SavedView.objects.create(
                    owner=actor, name=name, query=query, team_id=team_id
                )
        except IntegrityError:
            view = SavedView.objects.select_for_update().get(owner=actor, name=name)
            before = {"query": view.query, "shared": view.team_id is not None}
    if before is not None:
        view.query, view.team_id = query, team_id
        view.save(update_fields=["query", "team", "updated_at"])
    after = {"query": query, "shared": team_id is not None}
    audit_record(
        actor=actor,
        action=AuditAction.SAVED_VIEW_SAVED,
        target=view,
        changes={k: [before[k] if before else None, v] for k, v in after.items()},
    )
    return view


@transaction.atomic
def saved_view_delete(*, actor: User, view: SavedView) -> None:
    """Its owner (or an administrator) deletes a view."""
    if view.owner_id != actor.pk and actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only the person who saved this view may delete it."))
    audit_record(
        actor=actor,
        action=AuditAction.SAVED_VIEW_DELETED,
        target=view,
        changes={"query": [view.query, None]},
    )
    view.delete()
