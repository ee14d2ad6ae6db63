"""Custom fields in the pages' forms (issue 15): one form field `cf_<key>` per active field, with
the widget its type wants, its required mark and help text. The values go to the services as
`custom_fields`, whose rules decide (kehu/customers/custom_fields.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .custom_fields import FILTER_PREFIX, custom_field_initial, custom_fields_of, error_key
from .models import CustomField

FORM_PREFIX = "cf_"
BLANK: list[tuple[str, str]] = [("", "—")]


def _choices(field: CustomField, current: Any = None) -> list[tuple[str, str]]:
    choices = [str(c) for c in field.choices or []]
    extra = current if isinstance(current, list) else [current] if current else []
    choices += [str(c) for c in extra if str(c) not in choices]  # a value since taken away
    return [(c, c) for c in choices]


def custom_form_field(field: CustomField, current: Any = None) -> forms.Field:
    """The form field of one custom field (values stay text: the service parses 8万, 2026年3月5日)."""
    common: dict[str, Any] = {
        "label": field.label,
        "required": field.required,
        "help_text": field.help_text,
    }
    kind = field.kind
    if kind == CustomField.Kind.CHOICE:
        return forms.ChoiceField(choices=BLANK + _choices(field, current), **common)
    if kind == CustomField.Kind.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=_choices(field, current), widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == CustomField.Kind.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == CustomField.Kind.NUMBER:
        return forms.CharField(
            widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}), **common
        )
    if kind == CustomField.Kind.AMOUNT:
        common["help_text"] = field.help_text or _("In yuan, e.g. 80000 or 8万.")
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    return forms.CharField(max_length=500, **common)


def add_custom_fields(
    form: forms.BaseForm,
    entity: str,
    values: dict[str, Any] | None = None,
    *,
    fields: list[CustomField] | None = None,
) -> list[CustomField]:
    """Add the entity's active fields (or the given ones) to the form, after its own, initial
    values from the record's; returns the definitions (for custom_payload)."""
    fields = custom_fields_of(entity) if fields is None else fields
    values = values or {}
    for field in fields:
        name = f"{FORM_PREFIX}{field.key}"
        form.fields[name] = custom_form_field(field, values.get(field.key))
        if field.key in values:
            form.initial.setdefault(name, custom_field_initial(field, values.get(field.key)))
    return fields


def custom_payload(
    form: forms.BaseForm, fields: list[CustomField], current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """{key: value as given} of the form's custom fields: an empty one clears the record's
    value (`current`); one empty on both sides, or as the record has it, is left out (nothing
    to change)."""
    cleaned: dict[str, Any] = getattr(form, "cleaned_data", {}) or {}
    payload: dict[str, Any] = {}
    for field in fields:
        value = cleaned.get(f"{FORM_PREFIX}{field.key}")
        if field.kind == CustomField.Kind.MULTI_CHOICE:
            value = list(value or [])
        else:
            value = value or ""
        if not value and current is not None and current.get(field.key) in (None, "", []):
            continue
        if current is not None and value == custom_field_initial(field, current.get(field.key)):
            continue  # unchanged: a value whose choice was since removed still saves the rest
        payload[field.key] = value
    return payload


def custom_error_aliases(fields: list[CustomField]) -> dict[str, str]:
    """'custom_fields.<key>' (the services' error keys) -> the form field 'cf_<key>'."""
    return {error_key(f.key): f"{FORM_PREFIX}{f.key}" for f in fields}


def custom_bound_fields(form: forms.BaseForm) -> list[forms.BoundField]:
    return [form[name] for name in form.fields if name.startswith(FORM_PREFIX)]


def add_custom_filters(form: forms.BaseForm) -> None:
    """The customer list's filters of the fields shown as columns: cf_<key> (a select for a
    choice, text otherwise; the list and the API take the same parameter)."""
    for field in custom_fields_of(CustomField.Entity.CUSTOMER):
        if not field.show_in_list:
            continue
        name = f"{FILTER_PREFIX}{field.key}"
        if field.kind in (CustomField.Kind.CHOICE, CustomField.Kind.MULTI_CHOICE):
            form.fields[name] = forms.ChoiceField(
                label=field.label, required=False, choices=BLANK + _choices(field)
            )
        elif field.kind == CustomField.Kind.DATE:
            form.fields[name] = forms.CharField(
                label=field.label,
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
        else:
            form.fields[name] = forms.CharField(label=field.label, required=False)
