"""The on-save duplicate check: find probable duplicates, decide by the admin's policy, and say
only what the user may see.

One scorer for the check and the scan (kehu.customers.matching: the same normaliser, features
and weights as the Splink scan). The policy is data: MatchRule rows narrow the matches, the
DuplicateAction per context (create, edit, import) says allow, alert (409 until confirmed),
block (409 always) or queue (save, and queue the pair for the data steward).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehu.accounts.models import Role, User
from kehu.accounts.policy import scope_for
from kehu.accounts.services import notification_send
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import PermissionDenied, ProbableDuplicate, ValidationFailed, one_of
from kehu.review.models import ReviewItem, ReviewRule
from kehu.review.services import review_hold

from ..matching import FIELDS as MATCH_FIELDS
from ..matching import Match, find_matches
from ..matching.labels import reasons_shown
from ..models import Customer, DuplicateAction, MatchRule

CONTEXTS = ("create", "edit", "import")


@dataclass
class CheckResult:
    action: str  # allow, alert, block, queue
    matches: list[Match] = field(default_factory=list)
    rule: str = ""

    @property
    def is_blocked(self) -> bool:
        return self.action == DuplicateAction.Action.BLOCK


def action_for(context: str) -> str:
    row = DuplicateAction.objects.filter(context=context).first()
    return row.action if row else DuplicateAction.Action.ALERT


def _rule_matches(rule: MatchRule, match: Match) -> bool:
    if match.score < rule.min_score:
        return False
    return all(match.levels.get(name, 0.0) > 0 for name in rule.required_fields)


def duplicate_check(
    *, data: dict[str, Any], context: str = "create", exclude_id: int | None = None
) -> CheckResult:
    """Probable duplicates of a payload and what to do about them (no write, no scope)."""
    rules = list(MatchRule.objects.filter(is_active=True))
    threshold = min(
        [settings.KEHU_DEDUPE_CHECK_THRESHOLD, *(r.min_score for r in rules)]
        if rules
        else [settings.KEHU_DEDUPE_CHECK_THRESHOLD]
    )
    matches = find_matches(data, exclude_id=exclude_id, threshold=threshold)
    rule_name = ""
    if rules:
        kept = []
        for match in matches:
            hit = next((r for r in rules if _rule_matches(r, match)), None)
            if hit:
                kept.append(match)
                rule_name = rule_name or hit.name
        matches = kept
    if not matches:
        return CheckResult(DuplicateAction.Action.ALLOW)
    return CheckResult(action_for(context), matches, rule_name)


@dataclass
class ScopedMatches:
    """What a user may be told: the matches they may see; the rest only counted."""

    visible: list[Match]
    hidden: int

    def as_json(self) -> list[dict[str, Any]]:
        return [
            {
                "customer_id": m.customer.pk,
                "customer_no": m.customer.customer_no,
                "name": m.customer.name,
                "score": round(m.score, 3),
                "url": reverse("customer-detail", args=[m.customer.customer_no]),
                "reasons": reasons_shown(m.explanation()),
            }
            for m in self.visible
        ]


def duplicate_scope(actor: User | None, matches: list[Match], *, about: str = "") -> ScopedMatches:
    """Split matches by what the actor may see; tell the data stewards about hidden ones."""
    ids = [m.customer.pk for m in matches]
    if actor is None:
        return ScopedMatches(matches, 0)
    visible_ids = set(
        scope_for(actor, Customer.objects.filter(pk__in=ids)).values_list("pk", flat=True)
    )
    visible = [m for m in matches if m.customer.pk in visible_ids]
    hidden = len(matches) - len(visible)
    if hidden:
        teams = {m.customer.team_id for m in matches if m not in visible}
        stewards = (
            User.objects.filter(role=Role.STEWARD, is_active=True)
            .filter(Q(steward_unit__isnull=True) | Q(steward_unit_id__in=teams))
            .exclude(pk=actor.pk)
        )
        names = "、".join(f"{m.customer.customer_no}" for m in matches if m not in visible)
        notification_send(
            users=stewards,
            message=_("%(user)s entered %(what)s, which probably duplicates %(numbers)s.")
            % {"user": actor.label, "what": about or _("a customer"), "numbers": names},
            link="/dedupe/",
        )
    return ScopedMatches(visible, hidden)


def hidden_duplicates_message(hidden: int) -> str:
    """What a user is told about the probable duplicates they may not see (counted only)."""
    return ngettext(
        "A probable duplicate exists that you cannot see; the data steward has been told.",
        "%(counter)s probable duplicates exist that you cannot see; the data steward has been "
        "told.",
        hidden,
    ) % {"counter": hidden}


def _identity_changes(customer: Customer, values: dict[str, Any]) -> bool:
    """Whether an edit changes something a duplicate is recognised by."""
    for name in ("name", "credit_code", "phone", "email"):
        if name in values and (values[name] or "") != (getattr(customer, name) or ""):
            return True
    maker = values.get("decision_maker")
    if isinstance(maker, dict):
        known = set(customer.contacts.values_list("mobile", flat=True)) | set(
            customer.contacts.values_list("email", flat=True)
        )
        return any(maker.get(k) and maker[k] not in known for k in ("mobile", "landline", "email"))
    return False


def duplicate_guard(
    *,
    actor: User | None,
    data: dict[str, Any],
    context: str,
    customer: Customer | None = None,
    values: dict[str, Any] | None = None,
    allow_duplicate: bool = False,
) -> CheckResult | None:
    """Raise ProbableDuplicate when the policy says alert (unconfirmed) or block; return the
    result when it says queue (the caller queues after saving); else None.

    An edit is checked only when it changes a name, credit code, phone or e-mail (`values`:
    the cleaned edit), so an old duplicate never blocks an unrelated change."""
    if customer is not None and not _identity_changes(customer, values or {}):
        return None
    payload = dict(data)
    if customer is not None:
        payload = {
            "name": customer.name,
            "credit_code": customer.credit_code,
            "phone": customer.phone,
            "email": customer.email,
            "address": customer.address,
            "kind": customer.kind,
            "city": customer.city,
            **payload,
        }
    result = duplicate_check(
        data=payload, context=context, exclude_id=customer.pk if customer is not None else None
    )
    if result.action == DuplicateAction.Action.ALLOW:
        return None
    if result.action == DuplicateAction.Action.QUEUE:
        return result
    blocked = result.is_blocked
    if not blocked and allow_duplicate:
        return None
    scoped = duplicate_scope(actor, result.matches, about=str(payload.get("name") or ""))
    if blocked:
        message = _("A customer like this exists already; saving a duplicate is not allowed.")
    else:
        message = _(
            "This looks like a customer that exists already. Check it, or confirm to save anyway."
        )
    if scoped.hidden:
        message += " " + hidden_duplicates_message(scoped.hidden)
    raise ProbableDuplicate(
        message, matches=scoped.as_json(), blocked=blocked, hidden=scoped.hidden
    )


def duplicate_queue(*, actor: User | None, customer: Customer, result: CheckResult) -> None:
    """After a save whose policy is 'queue': the pairs wait for the data steward."""
    if actor is None:
        return
    numbers = [m.customer.customer_no for m in result.matches]
    review_hold(
        actor=actor,
        action=ReviewItem.Action.DUPLICATE,
        rule=ReviewRule.Kind.DUPLICATE,
        customer=customer,
        payload={"customer_id": customer.pk, "matches": [m.customer.pk for m in result.matches]},
        diff=[],
        reason=_("%(number)s probably duplicates %(others)s")
        % {"number": customer.customer_no, "others": "、".join(numbers)},
    )


# --- The policy, set by an administrator (the dedupe rules page and API call these).


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator may change duplicate rules."))


@transaction.atomic
def match_rule_save(
    *, actor: User, data: dict[str, Any], rule: MatchRule | None = None
) -> MatchRule:
    _require_admin(actor)
    known = {f.name for f in MATCH_FIELDS}
    errors: dict[str, list[str]] = {}
    rule = rule or MatchRule()
    if "name" in data:
        rule.name = str(data["name"]).strip()[:100]
    if not rule.name:
        errors["name"] = [_("Give the rule a name.")]
    if "description" in data:
        rule.description = str(data["description"] or "")
    if "min_score" in data:
        try:
            rule.min_score = float(data["min_score"])
        except (TypeError, ValueError):
            errors["min_score"] = [_("A number between 0 and 1.")]
        else:
            if not 0 <= rule.min_score <= 1:
                errors["min_score"] = [_("A number between 0 and 1.")]
    if "required_fields" in data:
        fields = list(data["required_fields"] or [])
        bad = [f for f in fields if f not in known]
        if bad:
            errors["required_fields"] = [
                _("Unknown field(s): %(fields)s.") % {"fields": ", ".join(bad)}
            ]
        rule.required_fields = fields
    if "is_active" in data:
        rule.is_active = bool(data["is_active"])
    if errors:
        raise ValidationFailed(errors)
    creating = rule.pk is None
    rule.save()
    audit_record(
        actor=actor,
        action=AuditAction.DEDUPE_RULE_CREATED if creating else AuditAction.DEDUPE_RULE_CHANGED,
        target=rule,
    )
    return rule


@transaction.atomic
def duplicate_action_set(*, actor: User, context: str, action: str) -> DuplicateAction:
    _require_admin(actor)
    if context not in DuplicateAction.Context.values:
        raise ValidationFailed({"context": [one_of(DuplicateAction.Context.values)]})
    if action not in DuplicateAction.Action.values:
        raise ValidationFailed({"action": [one_of(DuplicateAction.Action.values)]})
    row, _created = DuplicateAction.objects.update_or_create(
        context=context, defaults={"action": action}
    )
    audit_record(
        actor=actor, action=AuditAction.DEDUPE_ACTION_SET, target=row, note=f"{context}={action}"
    )
    return row


# --- The import's identity check: cheap, per batch (the import matches its exact keys itself).


@dataclass
class IdentityHit:
    customer: Customer
    reason: str  # "mobile", "email" or "registered_name"


IDENTITY_LABELS = {
    "mobile": _("same mobile"),
    "email": _("same e-mail"),
    "registered_name": _("same registered name"),
}


def identity_matches(records: list[tuple[Customer, Any]]) -> list[list[IdentityHit]]:
    """For each new (unsaved) customer with its decision maker: the existing customers that
    share a mobile, a personal e-mail or the registered name — what the on-save check always
    warns about. A few statements per batch; values held by many customers (switchboards,
    placeholders) do not count."""
    from kehu.core.normalize import company_core, company_registered, is_role_mailbox

    from ..matching.candidates import MAX_SHARED_VALUE, holders

    wanted: list[dict[str, set[str]]] = []
    for customer, maker in records:
        phones = {p for p in (customer.phone, getattr(maker, "mobile", "")) if p}
        mobiles = {p.split(";")[0] for p in phones if p.startswith("+861")}
        emails = {
            e.lower()
            for e in (customer.email, getattr(maker, "email", ""))
            if e and not is_role_mailbox(e)
        }
        wanted.append({"mobile": mobiles, "email": emails})
    held: dict[str, set[int]] = {}
    values = sorted({v for w in wanted for kind in w.values() for v in kind})
    for start in range(0, len(values), 200):  # SQLite allows 500 compound SELECTs
        chunk = values[start : start + 200]
        held.update(holders([v for v in chunk if "@" not in v], [v for v in chunk if "@" in v]))
    registered = {company_registered(c.name): c for c, _m in records if c.name}
    registered.pop("", None)
    by_core: dict[str, list[Customer]] = {}
    if registered:
        cores = {company_core(c.name) for c in registered.values()}
        for other in Customer.objects.filter(name_normalized__in=cores).only(
            "pk", "name", "customer_no", "name_normalized", "owner_id", "team_id", "status"
        ):
            by_core.setdefault(other.name_normalized, []).append(other)
    ids = {i for v in held.values() if len(v) <= MAX_SHARED_VALUE for i in v}
    found = {c.pk: c for c in Customer.objects.filter(pk__in=ids)}
    out: list[list[IdentityHit]] = []
    for (customer, _maker), keys in zip(records, wanted, strict=True):
        hits: dict[int, IdentityHit] = {}
        for kind, kind_values in keys.items():
            for value in kind_values:
                holders_of = held.get(value, set())
                if len(holders_of) > MAX_SHARED_VALUE:
                    continue
                for pk in holders_of:
                    if pk in found and pk != customer.pk:
                        hits.setdefault(pk, IdentityHit(found[pk], kind))
        key = company_registered(customer.name) if customer.name else ""
        if key:
            for other in by_core.get(company_core(customer.name), []):
                if other.pk != customer.pk and company_registered(other.name) == key:
                    hits.setdefault(other.pk, IdentityHit(other, "registered_name"))
        out.append(list(hits.values()))
    return out
