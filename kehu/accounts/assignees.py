"""Who may be given work on a customer: the owner of an opportunity or a follow-up task, the
person who performed an interaction, the owner of its next action (issue 14 item 20).

One rule for every such field: an active user who works on the customer, i.e. a member of the
customer's team (its manager included), or someone who sees the customer anyway (its owner,
someone it is shared with, the read-all roles). A user of another team is refused, naming the
field, so that a task never lands with someone who cannot open its customer.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from kehu.core.cleaning import FieldCleaner
from kehu.core.errors import ValidationFailed

from .models import User
from .policy import scope_for


def active_user_named(raw: str) -> User | None:
    """An active user by id, username or display name (the forms and the API accept all three)."""
    users = User.objects.filter(is_active=True)
    if raw.isdigit():
        return users.filter(pk=int(raw)).first()
    return users.filter(Q(username=raw) | Q(display_name=raw)).order_by("id").first()


def clean_user_field(c: FieldCleaner, key: str, *, empty: Any = None) -> None:
    """Read `key` as a user (see active_user_named) into c.values; an unknown one is an error
    naming the field. Absent keys are left alone; a blank value becomes `empty`."""
    if key not in c.data:
        return
    raw = c.raw(key)
    if not raw:
        c.values[key] = empty
        return
    user = active_user_named(raw)
    if user is None:
        c.error(key, _("No active user '%(name)s'.") % {"name": raw})
    else:
        c.values[key] = user


def may_work_on(user: User, customer: Any) -> bool:
    """Whether `user` may be given work on `customer` (see the module's docstring)."""
    if not user.is_active:
        return False
    if customer.team_id is not None and user.team_id == customer.team_id:
        return True
    if customer.owner_id is not None and user.pk == customer.owner_id:
        return True
    return scope_for(user, type(customer)._default_manager.filter(pk=customer.pk)).exists()


def assert_assignable(customer: Any, **assignees: User | None) -> None:
    """Raise ValidationFailed naming each field whose user may not work on `customer`."""
    errors: dict[str, list[str]] = {}
    for field, user in assignees.items():
        if user is not None and not may_work_on(user, customer):
            errors[field] = [
                _(
                    "%(user)s does not work on %(customer)s (another team); choose someone of its team."
                )
                % {"user": str(user), "customer": customer.name}
            ]
    if errors:
        raise ValidationFailed(errors)
