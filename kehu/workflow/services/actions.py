"""A rule's actions: [{"type": …, …}, …], applied in order to the target it fired on.

- notify: {"to": ["owner", "managers", "role:support", "team:3", "user:5"], "message": "…"}.
  Only users who may see the customer (kehu.accounts.policy) are told.
- create_task: {"title": "…", "due_in_days": 3, "assignee": "owner" | "user:5"}.
- assign: {"user": 5}; return_to_pool: {"reason": "…"} (to the customer's team pool).
- add_tag / remove_tag: {"tag": "…"}.
- webhook: {"webhook": 3}: the event goes to that subscription whatever its topics.
Actions run as the workflow's own account (kehu.accounts.services.system_user), audited with
source "rule".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.policy import scope_for
from kehu.accounts.services import managers_of, notification_send, system_user
from kehu.audit.models import AuditEntry
from kehu.collab.services import pool_return, pool_returns_bulk
from kehu.core.errors import ValidationFailed
from kehu.customers.models import Customer
from kehu.customers.services import customers_reassign
from kehu.interactions.models import FollowUp
from kehu.interactions.services.followups import followup_create
from kehu.tags.models import CustomerTag, Tag
from kehu.tags.services import tag_apply, tag_remove
from kehu.tags.services.library import not_in_library

from ..models import Webhook

RULE = AuditEntry.Source.RULE
TYPES = ("notify", "create_task", "assign", "return_to_pool", "add_tag", "remove_tag", "webhook")
RECIPIENT_KINDS = ("owner", "managers", "role", "team", "user")


@dataclass
class Target:
    """What a rule fired on: a customer, or an opportunity or task of one."""

    obj: Model
    customer: Customer | None
    owner_id: int | None
    label: str
    link: str
    event: str = ""
    audit_seq: int | None = None


def _error(number: int, message: str) -> ValidationFailed:
    return ValidationFailed({f"actions.{number}": [message]})


def _recipient_clean(number: int, raw: Any) -> str:
    text = str(raw).strip()
    kind, _sep, value = text.partition(":")
    if kind not in RECIPIENT_KINDS or (kind in ("owner", "managers")) != (not value):
        raise _error(number, _("Unknown recipient %(who)s.") % {"who": repr(text)})
    if kind == "role" and value not in Role.values:
        raise _error(number, _("Unknown role %(role)s.") % {"role": repr(value)})
    if kind in ("team", "user") and not value.isdigit():
        raise _error(number, _("Unknown recipient %(who)s.") % {"who": repr(text)})
    return text


def actions_clean(raw: Any) -> list[dict[str, Any]]:
    """The actions as stored, or ValidationFailed naming what is wrong."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValidationFailed({"actions": [_("A list of actions.")]})
    cleaned: list[dict[str, Any]] = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or item.get("type") not in TYPES:
            raise _error(number, _("The type is one of: %(types)s.") % {"types": ", ".join(TYPES)})
        kind = item["type"]
        action: dict[str, Any] = {"type": kind}
        if kind == "notify":
            to = item.get("to") or []
            if not isinstance(to, list) or not to:
                raise _error(number, _("Say whom to notify."))
            action["to"] = [_recipient_clean(number, who) for who in to]
            action["message"] = str(item.get("message") or "").strip()[:300]
        elif kind == "create_task":
            action["title"] = str(item.get("title") or "").strip()[:200]
            if not action["title"]:
                raise _error(number, _("Give the task a title."))
            days = item.get("due_in_days", 1)
            if not isinstance(days, int) or not 0 <= days <= 365:
                raise _error(number, _("Days between 0 and 365."))
            action["due_in_days"] = days
            assignee = str(item.get("assignee") or "owner")
            if assignee != "owner":
                assignee = _recipient_clean(number, assignee)
                if not assignee.startswith("user:"):
                    raise _error(number, _("A task goes to the owner or to one user."))
            action["assignee"] = assignee
        elif kind == "assign":
            user = item.get("user")
            if not isinstance(user, int) or not User.objects.filter(pk=user).exists():
                raise _error(number, _("Choose the user to assign to."))
            action["user"] = user
        elif kind == "return_to_pool":
            action["reason"] = str(item.get("reason") or "").strip()[:200]
            if not action["reason"]:
                raise _error(number, _("Say why the customer goes back to the pool."))
        elif kind in ("add_tag", "remove_tag"):
            action["tag"] = str(item.get("tag") or "").strip()[:50]
            if not action["tag"]:
                raise _error(number, _("Name the tag."))
            known = Tag.objects.filter(name=action["tag"])
            if kind == "add_tag":
                known = known.filter(is_active=True)
            if not known.exists():
                raise _error(number, not_in_library(action["tag"]))
        else:
            webhook = item.get("webhook")
            if not isinstance(webhook, int) or not Webhook.objects.filter(pk=webhook).exists():
                raise _error(number, _("Choose the webhook to call."))
            action["webhook"] = webhook
        cleaned.append(action)
    return cleaned


# --- Applying


@dataclass
class Batch:
    """What a batch of firings shares (kehu.workflow.services.engine fires a time rule on a
    few hundred targets at once): who each recipient spec names, and which of the batch's
    customers each user may see, one query per user instead of one per firing. Visibility is
    as at the batch's start."""

    customer_ids: set[int]
    users: dict[tuple[str, int | None], list[User]] = field(default_factory=dict)
    visible: dict[int, set[int]] = field(default_factory=dict)
    # "Return to the pool" of the batch's customers, by reason: done in bulk at the batch's end
    # (batch_returns_apply), one owner change for them all instead of one per firing.
    pool_returns: dict[str, list[int]] = field(default_factory=dict)


_batch: ContextVar[Batch | None] = ContextVar("workflow_batch", default=None)


@contextmanager
def batch_of(customer_ids: Iterable[int]) -> Iterator[Batch]:
    batch = Batch(customer_ids=set(customer_ids))
    token = _batch.set(batch)
    try:
        yield batch
    finally:
        _batch.reset(token)


def batch_returns_apply(batch: Batch) -> int:
    """The batch's deferred returns to the pool, in bulk (kehu.collab.pool_returns_bulk), in the
    batch's transaction: should they fail, the batch's firings are undone with them and the next
    tick tries again. Returns how many customers went back."""
    returned = 0
    for reason, ids in batch.pool_returns.items():
        returned += len(
            pool_returns_bulk(actor=system_user(), customer_ids=ids, reason=reason, source=RULE)
        )
    batch.pool_returns.clear()
    return returned


def _may_see(user: User, customer_id: int) -> bool:
    batch = _batch.get()
    if batch is None or customer_id not in batch.customer_ids:
        return scope_for(user, Customer.objects.filter(pk=customer_id)).exists()
    if user.pk not in batch.visible:
        among = Customer.objects.filter(pk__in=batch.customer_ids)
        batch.visible[user.pk] = set(scope_for(user, among).values_list("pk", flat=True))
    return customer_id in batch.visible[user.pk]


def _named(who: str, team_id: int | None) -> list[User]:
    """The active users a recipient spec other than "owner" names."""
    batch = _batch.get()
    key = (who, team_id if who == "managers" else None)
    if batch is not None and key in batch.users:
        return batch.users[key]
    kind, _sep, value = who.partition(":")
    active = User.objects.filter(is_active=True).order_by("id")
    users: list[User] = []
    if kind == "managers":
        users = managers_of(team_id)
    elif kind == "role":
        users = list(active.filter(role=value))
    elif kind == "team":
        users = list(active.filter(team_id=int(value)))
    elif kind == "user":
        users = list(active.filter(pk=int(value)))
    if batch is not None:
        batch.users[key] = users
    return users


def recipients(to: list[str], target: Target) -> list[User]:
    """The users `to` names, keeping only the active ones who may see the target's customer."""
    customer = target.customer
    users: list[User] = []
    for who in to:
        if who == "owner":
            if target.owner_id:
                users.extend(User.objects.filter(is_active=True, pk=target.owner_id))
        else:
            users.extend(_named(who, customer.team_id if customer else None))
    if customer is None:
        return [user for user in users if user.role == Role.ADMIN]
    seen: set[int] = set()
    allowed = []
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        if _may_see(user, customer.pk):
            allowed.append(user)
    return allowed


def _notify(rule_name: str, action: dict[str, Any], target: Target) -> str:
    message = action.get("message") or _("Rule %(rule)s") % {"rule": rule_name}
    text = _("%(message)s: %(target)s") % {"message": message, "target": target.label}
    count = notification_send(
        users=recipients(action["to"], target), message=text, link=target.link
    )
    return _("notified %(count)s") % {"count": count}


def _create_task(action: dict[str, Any], target: Target) -> str:
    customer = target.customer
    if customer is None:
        return ""
    assignee: User | None = None
    if action["assignee"].startswith("user:"):
        assignee = User.objects.filter(pk=int(action["assignee"][5:]), is_active=True).first()
    elif target.owner_id:
        assignee = User.objects.filter(pk=target.owner_id).first()
    if assignee is None and customer.owner_id is None:
        return _("no one to give the task to")
    followup_create(
        actor=system_user(),
        customer=customer,
        kind=FollowUp.Kind.OTHER,
        title=action["title"],
        owner=assignee,
        due_date=timezone.localdate() + timedelta(days=action["due_in_days"]),
        source=RULE,
    )
    return _("task created")


def action_apply(rule_name: str, action: dict[str, Any], target: Target) -> str:
    """Apply one action; returns a short note of what it did (for the firing's record)."""
    from .webhooks import deliveries_for_rule  # webhooks import Target from here

    kind = action["type"]
    customer = target.customer
    actor = system_user()
    if kind == "notify":
        return _notify(rule_name, action, target)
    if kind == "create_task":
        return _create_task(action, target)
    if kind == "webhook":
        deliveries_for_rule(webhook_id=action["webhook"], target=target)
        return _("webhook queued")
    if customer is None:
        return ""
    batch = _batch.get()
    if kind == "return_to_pool" and batch is not None and customer.pk in batch.customer_ids:
        if customer.owner_id is None or customer.team_id is None:
            return ""
        batch.pool_returns.setdefault(action["reason"], []).append(customer.pk)
        return _("returned to the pool")
    customer.refresh_from_db()
    if kind == "assign":
        user = User.objects.filter(pk=action["user"], is_active=True).first()
        if user is None or customer.owner_id == user.pk:
            return ""
        customers_reassign(actor=actor, plan={customer.pk: user}, note=rule_name, source=RULE)
        return _("assigned")
    if kind == "return_to_pool":
        if customer.owner_id is None or customer.team_id is None:
            return ""
        pool_return(actor=actor, customer=customer, reason=action["reason"])
        return _("returned to the pool")
    if kind == "add_tag":
        tag_apply(
            actor=actor,
            customer=customer,
            name=action["tag"],
            source=RULE,
            applied_by=CustomerTag.Source.WORKFLOW,
            label=rule_name,
        )
        return _("tagged")
    tag_remove(actor=actor, customer=customer, name=action["tag"])
    return _("tag removed")
