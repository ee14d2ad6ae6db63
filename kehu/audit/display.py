"""An audit entry as people read it: who (the actor's name, not the username), what happened
(kehu.audit.actions), each change with the field's label, not its name, and display values
(choices' labels, a related row's name, not its id, times in the reader's time zone, formatted
phones, 是/否), only what changed; the system's own notes ("Imported (#12)") in the reader's
language.

The model of an entry is found from its `target_type` (`customers.customer`) through the app
registry, so this low app names no higher app's models. A page that knows better labels for a
field (the 360 page's stage and feedback words) passes its own `display`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.core.validators import format_phone

from .models import AuditEntry

# Entries written before an app took its model over keep the old label.
RENAMED = {"customers.contact": "contacts.contact"}
PHONE_FIELDS = {"mobile", "landline", "phone"}
# A change of a related row's field, written as "<prefix>.<field>": (its model, its label).
DOTTED: dict[str, tuple[str, Promise]] = {
    "decision_maker": ("contacts.contact", _("decision maker")),
}
# Facts of entries that are no field of their target (an import's counts, an export's format):
# their label, and the model whose field of the same name gives the values' labels.
FACTS: dict[str, tuple[Promise, str]] = {
    "created": (_("created"), ""),
    "updated": (_("updated"), ""),
    "skipped": (_("skipped"), ""),
    "failed": (_("failed"), ""),
    "incomplete": (_("incomplete"), ""),
    "format": (_("file format"), ""),
    "rows": (_("rows"), ""),
    "filters": (_("filters"), ""),
    "user": (_("user"), ""),
    "review_item": (_("review item"), ""),
    "rule": (_("rule"), "review.reviewitem"),
    "action": (_("action"), "review.reviewitem"),
    "items": (_("items"), ""),
    "count": (_("count"), ""),
    "events": (_("behaviour events"), ""),
    "field": (_("field"), ""),
    "via": (_("via"), ""),
    "metric": (_("metric"), ""),
    "value": (_("value"), ""),
    "baseline": (_("baseline"), ""),
    "sessions_ended": (_("sessions ended"), ""),
    "generated": (_("password generated"), ""),
    "devices_removed": (_("devices removed"), ""),
    "username": (_("username"), ""),
    "file_errors": (_("file errors"), ""),
    "files": (_("files"), ""),
    "leads": (_("web-form leads"), ""),
    "other": (_("other customer"), ""),
    "tags": (_("tags"), ""),
    "assignments": (_("assignments"), ""),
    "merged": (_("merged customer"), ""),
    "mapping": (_("mapping"), ""),
    "customer": (_("customer"), ""),
    "kind": (_("kind"), "interactions.followup"),
    "title": (_("title"), ""),
    "customers": (_("customers"), ""),
    "opportunities": (_("opportunities"), ""),
    "products": (_("products"), ""),  # an opportunity's product lines (issue 16)
    "follow_ups": (_("follow-up tasks"), ""),
    "successor": (_("successor"), ""),
    "successors": (_("successors"), ""),
    "sessions_revoked": (_("sessions ended"), ""),
    "tokens_revoked": (_("API tokens revoked"), ""),
    "pool": (_("team pool"), ""),
    # A data-subject request's export and erasure (what was held, what was anonymised), a
    # correction's fields, and what a redaction committed to (kehu.privacy, audit.redact).
    "counts": (_("held"), ""),
    "contacts": (_("contacts"), ""),
    "interactions": (_("interactions"), ""),
    "orders": (_("orders"), ""),
    "consents": (_("consents"), ""),
    "audit_entries": (_("audit entries"), ""),
    "fields": (_("corrected fields"), ""),
    "entries": (_("redacted entries"), ""),
    "reads": (_("resealed days of reads"), ""),
    "hash": (_("hash now"), ""),
    "was": (_("hash before"), ""),
    "digest": (_("digest"), ""),
}
VALUE_WORDS: dict[str, Promise] = {
    "pool": _("team pool"),
    "search": _("search"),
    "csv": _("CSV"),
    "xlsx": _("XLSX"),
}

# Facts whose keys or values are usernames (shown as the people's names) and the marker of
# usernames among the names names_for loads.
PEOPLE_FACTS = frozenset({"user", "successors", "assignments", "successor"})
USERNAME = "username"

Display = Callable[[Any, Any], Any]


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {str(k) for k in value} | {v for v in value.values() if isinstance(v, str)}
    if isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    return set()


def _person(text: Any) -> Any:
    """A username among the loaded names as the person's name; 'pool' as the team pool."""
    if not isinstance(text, str):
        return text
    loaded = _NAMES.get() or {}
    if (USERNAME, text) in loaded:
        return loaded[(USERNAME, text)]
    return VALUE_WORDS.get(text, text)


@dataclass
class Change:
    field: str
    label: Any
    before: Any
    after: Any


def model_of(target_type: str) -> type[Model] | None:
    label = RENAMED.get(target_type, target_type)
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model: type[Model] | None, name: str) -> Any:
    """The model's field `name` (a foreign key also by its column, owner_id)."""
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def field_and_label(model: type[Model] | None, name: str) -> tuple[Any, Any]:
    """(the model field or None, the label people read) of a change's key."""
    prefix, dot, rest = name.partition(".")
    if dot and prefix in DOTTED:
        other, prefix_label = DOTTED[prefix]
        inner, inner_label = field_and_label(model_of(other), rest)
        return inner, f"{prefix_label}·{inner_label}"
    model_field = _field(model, name)
    verbose_name = getattr(model_field, "verbose_name", None)
    # A field without a translatable verbose name (Django's default, its name) reads as a fact.
    if verbose_name and (isinstance(verbose_name, Promise) or name not in FACTS):
        return model_field, verbose_name
    if name in FACTS:
        label, source = FACTS[name]
        return _field(model_of(source), name) if source else None, label
    return None, name.replace("_", " ")


def field_label(model: type[Model] | None, name: str) -> str:
    """The label of a field or a change's key ('budget_amount' -> '年度预算')."""
    return str(field_and_label(model, name)[1])


# Names loaded for the page being shown (names_for): {(model label, pk): name}.
_NAMES: ContextVar[dict[tuple[str, str], str] | None] = ContextVar("audit_names", default=None)


def _is_id(value: Any) -> bool:
    return not isinstance(value, bool) and (
        isinstance(value, int) or (isinstance(value, str) and value.isdigit())
    )


def _name_of(row: Model) -> str:
    return str(getattr(row, "label", None) or row)


def _related_name(model_field: Any, value: Any) -> Any:
    """A foreign key's id as its row's name (a user's display name, a team's name)."""
    if not _is_id(value):
        return value  # written as the name already
    related_model = model_field.related_model
    loaded = _NAMES.get()
    key = (related_model._meta.label_lower, str(value))
    if loaded is not None and key in loaded:
        return loaded[key]
    related = related_model._default_manager.filter(pk=value).first()
    return value if related is None else _name_of(related)


@dataclass
class Names:
    """The names a page of entries needs: its actors' and those its changes point at."""

    actors: dict[str, str]
    related: dict[tuple[str, str], str]

    def actor(self, username: str) -> str:
        return self.actors.get(username, username)


def names_for(entries: Iterable[Any]) -> Names:
    """Load, in one query per related model (the users with the actors), the names of some
    entries' actors and of the rows their changes' foreign keys point at."""
    entries = list(entries)
    wanted: dict[type[Model], set[str]] = defaultdict(set)
    for entry in entries:
        changes = entry.changes if isinstance(entry, AuditEntry) else entry.get("changes")
        target_type = entry.target_type if isinstance(entry, AuditEntry) else entry["target_type"]
        if not isinstance(changes, dict):
            continue
        model = model_of(target_type)
        for name, value in changes.items():
            model_field, _label = field_and_label(model, str(name))
            related_model = getattr(model_field, "related_model", None)
            if not isinstance(model_field, models.ForeignKey) or not isinstance(
                related_model, type
            ):
                continue
            for item in value if isinstance(value, list) else [value]:
                if _is_id(item):
                    wanted[related_model].add(str(item))
    usernames = {e.actor_name if isinstance(e, AuditEntry) else e["actor"] for e in entries}
    for entry in entries:  # people a fact names by username (a hand-over's successors)
        changes = entry.changes if isinstance(entry, AuditEntry) else entry.get("changes")
        for key in PEOPLE_FACTS & set(changes if isinstance(changes, dict) else {}):
            usernames |= _strings(changes[key])
    usernames.discard("")
    user_model = get_user_model()
    related: dict[tuple[str, str], str] = {}
    actors = {"system": gettext("System")}
    user_ids = wanted.pop(user_model, set())
    for user in user_model._default_manager.filter(
        Q(username__in=usernames) | Q(pk__in=[int(pk) for pk in user_ids])
    ):
        actors[user.get_username()] = str(user)
        related[(user_model._meta.label_lower, str(user.pk))] = _name_of(user)
        related[(USERNAME, user.get_username())] = _name_of(user)
    for model, pks in wanted.items():
        for row in model._default_manager.filter(pk__in=list(pks)):
            related[(model._meta.label_lower, str(row.pk))] = _name_of(row)
    return Names(actors=actors, related=related)


def _local_time(value: Any) -> Any:
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def _number(value: Any) -> Any:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return value
    text = f"{amount:,.2f}"
    return text.removesuffix(".00")


def display_value(model_field: Any, value: Any) -> Any:
    """A stored value as a person reads it ("" for none)."""
    if value in (None, "") or value == []:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "；".join(
            f"{_person(field_label(None, str(k)))}: {display_value(None, v)}"
            for k, v in value.items()
        )
    if isinstance(value, list):
        return "、".join(str(display_value(model_field, v)) for v in value)
    name = getattr(model_field, "name", "")
    if name in PHONE_FIELDS and isinstance(value, str):
        return format_phone(value)
    choices = dict(getattr(model_field, "flatchoices", None) or [])
    if choices:
        return choices.get(value, value)
    if isinstance(model_field, models.ForeignKey):
        return _related_name(model_field, value)
    if isinstance(model_field, models.DateTimeField):
        return _local_time(value)
    if isinstance(model_field, models.DecimalField):
        return _number(value)
    if isinstance(model_field, models.BooleanField) and value in ("true", "false"):
        return _("yes") if value == "true" else _("no")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if model_field is None and isinstance(value, str):
        return _person(value)  # a fact: a username as the person's name, 'pool' in words
    if isinstance(value, (int, float)):
        return str(value)  # 0 is a value, not "none"
    return value


def readable_changes(
    target_type: str,
    changes: Any,
    *,
    display: Display = display_value,
    pairs_only: bool = False,
    names: Names | None = None,
) -> list[Change]:
    """{field: [before, after]} as Change rows; fields whose shown values are equal are left out.
    Other values (an entry's facts, such as a created task's kind and title) are shown as
    label: value, unless pairs_only. `names`: loaded by names_for for the whole page."""
    if not isinstance(changes, dict):
        return []
    token = _NAMES.set(names.related) if names is not None else None
    try:
        return _readable(target_type, changes, display=display, pairs_only=pairs_only)
    finally:
        if token is not None:
            _NAMES.reset(token)


def _readable(
    target_type: str, changes: dict[str, Any], *, display: Display, pairs_only: bool
) -> list[Change]:
    model = model_of(target_type)
    rows = []
    for name, value in changes.items():
        model_field, label = field_and_label(model, str(name))
        if isinstance(value, list) and len(value) == 2:
            before, after = (display(model_field, v) for v in value)
            if str(before) == str(after):
                continue
        elif pairs_only:
            continue
        elif name == "field" and isinstance(value, str):  # a revealed field: its label
            before, after = "", field_label(model, value)
        else:
            before, after = "", display(model_field, value)
            if after == "":
                continue
        rows.append(Change(field=str(name), label=label, before=before, after=after))
    return rows


# Notes the system writes (stored as written, in English), shown in the reader's language.
_NOTES: list[tuple[re.Pattern[str], Promise]] = [
    (re.compile(r"^Created$"), _("Created")),
    (re.compile(r"^Imported \(#(?P<number>\d+)\)$"), _("Imported (#%(number)s)")),
    (re.compile(r"^Import #(?P<number>\d+)$"), _("Imported (#%(number)s)")),
    (re.compile(r"^Import #(?P<number>\d+) reverted$"), _("Import #%(number)s reverted")),
    (re.compile(r"^Interaction logged$"), _("Interaction logged")),
    (
        re.compile(r"^Incomplete for more than (?P<days>\d+) business days$"),
        _("Incomplete for more than %(days)s business days"),
    ),
    (
        re.compile(r"^No interaction for (?P<days>\d+) days$"),
        _("No interaction for %(days)s days"),
    ),
    (re.compile(r"^The information is complete$"), _("The information is complete")),
    (re.compile(r"^(?P<count>\d+) behaviour events$"), _("%(count)s behaviour events")),
    (
        re.compile(r"^merged into contact (?P<id>\d+) \((?P<name>.*)\)$"),
        _("Merged into contact %(name)s"),
    ),
    (
        re.compile(
            r"^Web-form lead #(?P<id>\d+) matches this customer \(score (?P<score>[\d.]+)\)\.$"
        ),
        _("Web-form lead #%(id)s matches this customer (score %(score)s)."),
    ),
    (re.compile(r"^scope=(?P<scope>\w+)$"), _("Scope: %(scope)s")),
    # Connected applications (kehu.accounts.oauth): scopes are codes (customers:read).
    (re.compile(r"^scopes=(?P<scopes>[a-z:_ ]*)$"), _("Scopes: %(scopes)s")),
    (
        re.compile(r"^access_tokens=(?P<access>\d+) refresh_tokens=(?P<refresh>\d+)$"),
        _("%(access)s access tokens and %(refresh)s refresh tokens deleted"),
    ),
    (
        re.compile(
            r"^user=(?P<user>\S+) access_tokens=(?P<access>\d+) refresh_tokens=(?P<refresh>\d+)$"
        ),
        _("%(user)s: %(access)s access tokens and %(refresh)s refresh tokens deleted"),
    ),
    (
        re.compile(r"^(?P<context>create|edit|import)=(?P<action>allow|alert|block|queue)$"),
        _("%(context)s: %(action)s"),
    ),
    (
        re.compile(
            r"^(?P<key>\S+) (?P<metric>\w+) (?P<value>[\d.]+%) vs baseline (?P<baseline>[\d.]+%)$"
        ),
        _("%(metric)s %(value)s (baseline %(baseline)s), %(key)s"),
    ),
]
# The codes a note names, as people read them (the models' own labels where they have them).
_NOTE_WORDS: dict[str, tuple[str, str]] = {
    "context": ("customers.duplicateaction", "context"),
    "action": ("customers.duplicateaction", "action"),
    "scope": ("accounts.apitoken", "scope"),
}
METRICS: dict[str, Promise] = {  # as kehu.reports.models.METRIC_LABELS says them
    "completeness_rate": _("Completeness rate"),
    "duplicate_rate": _("Duplicate rate"),
    "stale_rate": _("Stale rate"),
    "timely_rate": _("Entered within 24 h"),
}


def _note_word(name: str, value: str) -> str:
    if name == "metric":
        return str(METRICS.get(value, value))
    if name not in _NOTE_WORDS:
        return value
    label, field_name = _NOTE_WORDS[name]
    choices = dict(getattr(_field(model_of(label), field_name), "flatchoices", None) or [])
    return str(choices.get(value, value))


def note_label(note: str) -> str:
    """A note as the reader reads it: the system's own notes translated, a person's as written."""
    for pattern, message in _NOTES:
        match = pattern.match(note or "")
        if match is not None:
            words = {name: _note_word(name, value) for name, value in match.groupdict().items()}
            return str(message) % words if words else str(message)
    return note or ""
