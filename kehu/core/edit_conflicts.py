"""An edit form that met a VersionConflict: a three-way merge of what the form was opened with
(its `base`, a hidden field), what the user sent and what the record is now.

    the other person changed a field, you did not  -> their value is taken
    you changed a field, they did not              -> yours is kept
    both changed it (differently)                  -> yours is kept, both shown side by side

The page shows every field the other person changed (their value against yours) and the form
again, filled with the merge and carrying the current version: saving it applies your changes
on top of the current version; "discard" reopens the form from the current record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .regions import is_region_code, region_get


@dataclass(frozen=True)
class FieldClash:
    """A field the other person changed since the form was opened."""

    name: str
    label: str
    theirs: str
    yours: str
    both: bool  # you changed it too (to another value)
    you_changed: bool = False  # else saving keeps theirs


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value).strip()


def _as_sent(field: forms.Field | None, value: Any) -> str:
    """A value as the browser sends it back: a ticked box is "on" (True, "true" alike)."""
    if isinstance(field, forms.BooleanField):
        return "on" if field.to_python(value) else ""
    return _text(value)


def form_base(initial: Mapping[str, Any], names: Iterable[str]) -> str:
    """The `base` hidden value: the form's fields as it was opened (text, as a browser sends)."""
    return json.dumps({name: _text(initial.get(name)) for name in names}, ensure_ascii=False)


def _base(raw: str) -> dict[str, str] | None:
    try:
        base = json.loads(raw)
    except (TypeError, ValueError):
        return None
    return {str(k): _text(v) for k, v in base.items()} if isinstance(base, dict) else None


def _shown(form: forms.Form, name: str, value: str) -> str:
    """A value as the form's own widget names it (a choice's label, not its code)."""
    field = form.fields.get(name)
    if isinstance(field, forms.BooleanField):
        return str(_("yes") if value else _("no"))
    choices = getattr(field, "choices", None)
    if choices:
        flat: dict[str, str] = {}
        for key, label in choices:
            if isinstance(label, (list, tuple)):
                flat.update({str(k): str(v) for k, v in label})
            else:
                flat[str(key)] = str(label)
        if value not in flat and is_region_code(value):
            region = region_get(value)
            return region.stored_name if region is not None else value
        return flat.get(value, value)
    return value


def conflict_merge(
    form: forms.Form,
    *,
    posted: Mapping[str, Any],
    current: Mapping[str, Any],
    names: Iterable[str],
) -> tuple[dict[str, Any], list[FieldClash]]:
    """The values to refill the form with, and the fields the other person changed.

    `form` is the bound form the user sent (its `base` field), `posted` what was sent, `current`
    the form's initial values read from the record now. Without a readable base every field
    that differs from the current record counts as changed by both."""
    base = _base(str(posted.get("base") or ""))
    merged: dict[str, Any] = {}
    clashes: list[FieldClash] = []
    for name in names:
        field = form.fields.get(name)
        theirs = _as_sent(field, current.get(name))
        yours = _as_sent(field, posted.get(name))
        before = _as_sent(field, base.get(name, yours)) if base is not None else None
        they_changed = theirs != before if before is not None else theirs != yours
        you_changed = yours != before if before is not None else theirs != yours
        merged[name] = yours if you_changed else theirs
        if they_changed:
            clashes.append(
                FieldClash(
                    name=name,
                    label=str(field.label if field is not None else name),
                    theirs=_shown(form, name, theirs),
                    yours=_shown(form, name, yours),
                    both=you_changed and yours != theirs,
                    you_changed=you_changed,
                )
            )
    return merged, clashes
