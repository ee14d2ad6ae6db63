"""The audit page and API: who may read the log, its filters, and entries as a user may see them.

Two logs, one page: changes (kehu.audit AuditEntry, the hash chain) and reads (ReadEntry: 360 pages
opened, searches, exports, reveals; kept KEHU_AUDIT_READ_RETENTION_DAYS). `log=reads` switches the
page; `kind` narrows the reads.

Readers: administrators, executives and data stewards (AUDIT_ROLES). Everyone else gets 403:
the log is one global resource, not an object whose existence could leak, so no 404 is needed.
Changed phones, e-mails and ID numbers are masked by customers.masking.mask_changes as on a
customer's history (whole for administrators); entries of deleted customers are masked too.
Phone numbers and e-mail addresses typed into a search or an export filter are masked the same
way in the read log.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.policy import PII_ROLES, steward_unit_id
from kehu.audit.actions import AuditAction, action_label
from kehu.audit.display import Names, names_for, note_label, readable_changes
from kehu.audit.models import AuditEntry, ReadEntry
from kehu.core.errors import ValidationFailed, one_of

from .masking import mask_changes, sensitive_custom_names
from .models import Customer
from .services import PermissionDenied
from .text_masking import mask_text

AUDIT_ROLES = {Role.ADMIN, Role.EXECUTIVE, Role.STEWARD}
FILTERS = ("actor", "action", "target", "customer", "date_from", "date_to", "source")
READ_FILTERS = ("actor", "kind", "customer", "date_from", "date_to", "source")
LOGS = ("changes", "reads")


def can_read_audit(user: Any) -> bool:
    """The whole log names every customer: not for a steward limited to a unit."""
    return (
        getattr(user, "is_authenticated", False)
        and user.role in AUDIT_ROLES
        and steward_unit_id(user) is None
    )


def assert_can_read_audit(user: Any) -> None:
    if not can_read_audit(user):
        raise PermissionDenied(_("Only administrators, executives and data stewards read the log."))


def _day(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationFailed({field: [_("A date like 2025-01-31.")]}) from None


def audit_filter(params: dict[str, Any]) -> QuerySet[AuditEntry]:
    """The log narrowed by actor (username), action (an AuditAction), target (type, id or
    label), customer number, date range (inclusive, local days) and source."""
    queryset = AuditEntry.objects.all()
    value = (params.get("actor") or "").strip()
    if value:
        queryset = queryset.filter(actor_name__iexact=value)
    value = (params.get("action") or "").strip()
    if value:
        if value not in AuditAction.values:
            raise ValidationFailed(
                {"action": [_("Not an audit action: %(action)s.") % {"action": value}]}
            )
        queryset = queryset.filter(action=value)
    value = (params.get("target") or "").strip()
    if value:
        kind, _sep, ident = value.partition(":")
        if ident:
            queryset = queryset.filter(target_type=kind, target_id=ident)
        else:
            queryset = queryset.filter(target_label__icontains=value)
    return _common_filters(queryset, params)


def _common_filters(queryset: QuerySet[Any], params: dict[str, Any]) -> QuerySet[Any]:
    """Customer number, date range (inclusive, local days) and source: both logs have them."""
    value = (params.get("customer") or "").strip().upper()
    if value:
        ids = list(Customer.objects.filter(customer_no=value).values_list("pk", flat=True))
        queryset = queryset.filter(customer_id__in=ids)
    tz = timezone.get_current_timezone()
    value = (params.get("date_from") or "").strip()
    if value:
        start = datetime.combine(_day(value, "date_from"), time.min, tzinfo=tz)
        queryset = queryset.filter(created_at__gte=start)
    value = (params.get("date_to") or "").strip()
    if value:
        end = datetime.combine(_day(value, "date_to"), time.max, tzinfo=tz)
        queryset = queryset.filter(created_at__lte=end)
    value = (params.get("source") or "").strip()
    if value:
        if value not in AuditEntry.Source.values:
            raise ValidationFailed({"source": [one_of(AuditEntry.Source.values)]})
        queryset = queryset.filter(source=value)
    return queryset


def read_filter(params: dict[str, Any]) -> QuerySet[ReadEntry]:
    """The read log narrowed by actor (username), kind, customer number, dates and source."""
    queryset = ReadEntry.objects.all()
    value = (params.get("actor") or "").strip()
    if value:
        ids = list(User.objects.filter(username__iexact=value).values_list("pk", flat=True))
        queryset = (
            queryset.filter(actor_id__in=ids) if ids else queryset.filter(actor_name__iexact=value)
        )
    value = (params.get("kind") or "").strip()
    if value:
        if value not in ReadEntry.Kind.values:
            raise ValidationFailed({"kind": [one_of(ReadEntry.Kind.values)]})
        queryset = queryset.filter(kind=value)
    return _common_filters(queryset, params)


def log_of(params: dict[str, Any]) -> str:
    value = (params.get("log") or "changes").strip()
    if value not in LOGS:
        raise ValidationFailed({"log": [one_of(LOGS)]})
    return value


def mask_query(user: Any, text: str) -> str:
    """A search or an export filter as this user may read it: numbers and addresses masked
    (whole for PII_ROLES), as the customers they may belong to are masked everywhere else."""
    if getattr(user, "role", None) in PII_ROLES:
        return text
    return mask_text(text)


def read_rows(user: Any, entries: list[ReadEntry]) -> list[dict[str, Any]]:
    """Read entries as dicts, typed numbers and addresses masked for this user."""
    ids = {e.customer_id for e in entries if e.customer_id}
    numbers = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "customer_no"))
    kinds = dict(ReadEntry.Kind.choices)
    names = names_for({"actor": e.actor_name, "target_type": "", "changes": {}} for e in entries)
    sources = dict(AuditEntry.Source.choices)
    return [
        {
            "id": e.id,
            "created_at": e.created_at,
            "actor": e.actor_name,
            "actor_name": names.actor(e.actor_name),
            "kind": e.kind,
            "kind_label": str(kinds.get(e.kind, e.kind)),
            "customer_no": numbers.get(e.customer_id) if e.customer_id else None,
            "target": e.target_label,
            "query": mask_query(user, e.query),
            "rows": e.row_count,
            "source": e.source,
            "source_label": str(sources.get(e.source, e.source)),
            "ip": e.ip,
        }
        for e in entries
    ]


def audit_rows(user: Any, entries: list[AuditEntry]) -> list[dict[str, Any]]:
    """Entries as dicts, their changes masked for this user; beside the stored values what
    people read: the actor's name, the action's and source's labels, the changes with field
    labels and display values (only what changed), the note in the reader's language."""
    ids = {e.customer_id for e in entries if e.customer_id}
    customers = Customer.objects.in_bulk(ids) if ids else {}
    unknown = Customer()  # a deleted or no customer: nobody but PII_ROLES sees values whole
    names = names_for(entries)
    sources = dict(AuditEntry.Source.choices)
    rows = []
    sensitive = sensitive_custom_names()
    for e in entries:
        changes = (
            mask_changes(
                user, customers.get(e.customer_id, unknown), e.changes, sensitive=sensitive
            )
            if isinstance(e.changes, dict)
            else {}
        )
        rows.append(
            {
                "id": e.id,
                "seq": e.seq,
                "created_at": e.created_at,
                "actor": e.actor_name,
                "actor_name": names.actor(e.actor_name),
                "action": e.action,
                "action_label": action_label(e.action),
                "target_type": e.target_type,
                "target_id": e.target_id,
                "target": e.target_label,
                "customer_no": (
                    customers[e.customer_id].customer_no if e.customer_id in customers else None
                ),
                "changes": changes,
                "changes_shown": shown_changes(e.target_type, changes, names=names),
                "note": e.note,
                "note_label": note_label(e.note),
                "source": e.source,
                "source_label": str(sources.get(e.source, e.source)),
                "ip": e.ip,
            }
        )
    return rows


def shown_changes(
    target_type: str, changes: dict[str, Any], *, names: Names | None = None
) -> list[dict[str, str]]:
    """[{field, label, before, after}] as people read them; only what changed."""
    return [
        {
            "field": change.field,
            "label": str(change.label),
            "before": str(change.before),
            "after": str(change.after),
        }
        for change in readable_changes(target_type, changes, names=names)
    ]
