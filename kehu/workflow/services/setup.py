"""The shipped rules and the event cursor's position (a migration, `kehu demo`)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from kehu.audit.models import AuditEntry

from ..defaults import DEFAULT_RULES
from ..models import EventCursor, Rule
from .engine import CURSOR_KEY
from .rules import rule_create


@transaction.atomic
def rules_defaults_ensure() -> int:
    """Create each shipped rule that is missing (by key; an edited one is left as it is)."""
    created = 0
    for data in DEFAULT_RULES:
        if not Rule.objects.filter(key=data["key"]).exists():
            fields = {name: value for name, value in data.items() if name != "key"}
            rule_create(actor=None, data=fields, key=data["key"])
            created += 1
    return created


@transaction.atomic
def events_cursor_to_end() -> int:
    """Start the event rules after the change log's last entry (a freshly loaded sandbox: its
    history is not news). Returns the new position."""
    last = AuditEntry.objects.aggregate(last=Max("seq"))["last"] or 0
    EventCursor.objects.update_or_create(key=CURSOR_KEY, defaults={"last_seq": last})
    return int(last)
