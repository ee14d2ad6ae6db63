"""@mentions (@张销售, @zhang) in free text: an interaction's summary, a customer's notes, a task's
note. Each colleague named who may see the customer is told, with a link to it; a user who may
not see it is never offered (mentionable_users) and gets nothing (mentions_notify).

Lives in accounts so that every app that stores text about a customer may call it.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record

from .models import User
from .policy import scope_for
from .services import notification_send

# What may follow "@": letters (CJK included), digits, ".", "_", "-"; the longest user name that
# starts the word is the one meant ("@李销售你好" is 李销售).
_MENTION = re.compile(r"@([\w.\-]{1,60})")
SNIPPET = 120


def _sees(user: User, customer: Any) -> bool:
    return scope_for(user, type(customer)._default_manager.filter(pk=customer.pk)).exists()


def mentioned_users(text: str) -> list[User]:
    """The active users named after an "@" in text (username or display name), in order."""
    words = _MENTION.findall(text or "")
    if not words:
        return []
    prefixes = {word[:n] for word in words for n in range(1, len(word) + 1)}
    users = list(
        User.objects.filter(is_active=True)
        .filter(Q(username__in=prefixes) | Q(display_name__in=prefixes))
        .order_by("id")
    )
    found: list[User] = []
    for word in words:
        best: User | None = None
        best_length = 0
        for user in users:
            for name in (user.username, user.display_name):
                if name and word.startswith(name) and len(name) > best_length:
                    best, best_length = user, len(name)
        if best is not None and best not in found:
            found.append(best)
    return found


def mentions_notify(
    *, actor: User, customer: Any, text: str, what: str = "", before: str = ""
) -> list[User]:
    """Tell each colleague @-mentioned in text who may see the customer (never the actor, nor
    anyone the text's earlier version `before` mentioned already); one notification each with a
    link to the customer, one "mention.sent" audit entry. Returns those told."""
    already = {user.pk for user in mentioned_users(before)}
    told = [
        user
        for user in mentioned_users(text)
        if user.pk != actor.pk and user.pk not in already and _sees(user, customer)
    ]
    if not told:
        return []
    snippet = " ".join(text.split())
    if len(snippet) > SNIPPET:
        snippet = snippet[: SNIPPET - 1] + "…"
    notification_send(
        users=told,
        message=_("%(user)s mentioned you on %(customer)s: %(text)s")
        % {"user": actor.label, "customer": customer.name, "text": snippet},
        link=reverse("customer-detail", kwargs={"customer_no": customer.customer_no}),
    )
    audit_record(
        actor=actor,
        action=AuditAction.MENTION_SENT,
        target=customer,
        changes={"user": [user.username for user in told]},
        note=what[:200],
    )
    return told


def mentionable_users(viewer: User, customer: Any, query: str = "", limit: int = 10) -> list[User]:
    """Colleagues the viewer may mention on this customer: active users who may see it, whose
    username or display name starts with (or contains) query; at most `limit`."""
    users: QuerySet[User] = User.objects.filter(is_active=True).exclude(pk=viewer.pk)
    query = query.strip().lstrip("@")
    if query:
        users = users.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    found: list[User] = []
    for user in users.order_by("username")[:200]:
        if _sees(user, customer):
            found.append(user)
            if len(found) >= limit:
                break
    return found
