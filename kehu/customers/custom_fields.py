"""Custom fields (issue 15): the one rule set for their values, and how people read them.

An administrator defines fields (models.CustomField) for customers or contacts; a record keeps
its values in `custom_fields` ({key: value}). Values are stored as JSON in one form per kind:

    text          "…" (one line, at most 500 characters)
    number        12 or 12.5 (a JSON number)
    amount        "80000.00" (yuan, two decimals, a string: never a float)
    date          "2026-03-05"
    choice        one of the field's choices
    multi_choice  ["A", "C"] (a subset of the choices, in the choices' order)

`custom_fields_clean` checks a payload ({key: raw value}) against the active definitions; the
customer and contact services call it, so pages, the API and imports accept the same values.
Errors are keyed `custom_fields.<key>` and name the field's label.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    BooleanField,
    DateField,
    DecimalField,
    Expression,
    F,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.fields.json import KeyTransform
from django.utils.translation import gettext as _

from kehu.core.text import clean_text, split_list
from kehu.core.validators import parse_amount, parse_date

from .custom_field_index import key_equals
from .models import CustomField

PREFIX = "custom_fields"
TEXT_MAX = 500
NUMBER_LIMIT = Decimal("1e15")
# Separators of several choices in one cell or form value: 、 , ， ; ； |


def custom_fields_of(entity: str, *, active_only: bool = True) -> list[CustomField]:
    """The fields of customers or contacts, in their order (archived ones too unless active_only)."""
    fields = CustomField.objects.filter(entity=entity)
    if active_only:
        fields = fields.filter(is_active=True)
    return list(fields.order_by("position", "id"))


def custom_fields_by_entity() -> dict[str, list[CustomField]]:
    """The active fields of customers and of contacts, read in one query."""
    found: dict[str, list[CustomField]] = {entity: [] for entity in CustomField.Entity.values}
    for field in CustomField.objects.filter(is_active=True).order_by("position", "id"):
        found.setdefault(field.entity, []).append(field)
    return found


def error_key(key: str) -> str:
    return f"{PREFIX}.{key}"


def _is_empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, list | tuple):
        return not any(clean_text(str(v)) for v in raw if v is not None)
    return isinstance(raw, str) and not clean_text(raw)


def _number(raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise ValidationError(_("Enter a number."))
    text = clean_text(str(raw)).replace(",", "").replace("，", "").replace(" ", "")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(_("Enter a number.")) from exc
    if not value.is_finite() or abs(value) >= NUMBER_LIMIT:
        raise ValidationError(_("Enter a number."))
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _choice(field: CustomField, raw: Any) -> str:
    text = clean_text(str(raw))
    choices = [str(c) for c in field.choices or []]
    if text in choices:
        return text
    folded = {c.casefold(): c for c in choices}
    if text.casefold() in folded:
        return folded[text.casefold()]
    raise ValidationError(
        _("'%(value)s' is not one of: %(allowed)s.")
        % {"value": text, "allowed": "、".join(choices)}
    )


def _multi(field: CustomField, raw: Any) -> list[str]:
    items = raw if isinstance(raw, list | tuple) else split_list(raw)
    chosen = {_choice(field, item) for item in items if not _is_empty(item)}
    return [str(c) for c in field.choices or [] if c in chosen]


def custom_field_value(field: CustomField, raw: Any) -> Any:
    """One raw value (text as typed, a number, a list for multiple choice) in its stored form;
    ValidationError naming what is expected. Not called for an empty value."""
    kind = field.kind
    if kind == CustomField.Kind.TEXT:
        if isinstance(raw, dict | list):
            raise ValidationError(_("Enter text."))
        text = clean_text(str(raw))
        if len(text) > TEXT_MAX:
            raise ValidationError(
                _("At most %(max)s characters (this has %(count)s).")
                % {"max": TEXT_MAX, "count": len(text)}
            )
        return text
    if kind == CustomField.Kind.NUMBER:
        if isinstance(raw, dict | list):
            raise ValidationError(_("Enter a number."))
        return _number(raw)
    if kind == CustomField.Kind.AMOUNT:
        if isinstance(raw, dict | list | bool):
            raise ValidationError(_("Enter an amount in yuan, such as 80000 or 8万."))
        return f"{parse_amount(raw if isinstance(raw, int | float) else str(raw)):.2f}"
    if kind == CustomField.Kind.DATE:
        if not isinstance(raw, str):
            raise ValidationError(_("Enter a valid date, such as 2026-03-05 or 2026年3月5日."))
        return parse_date(raw).isoformat()
    if kind == CustomField.Kind.CHOICE:
        if isinstance(raw, dict | list):
            raise ValidationError(_("Choose one value."))
        return _choice(field, raw)
    if isinstance(raw, dict):
        raise ValidationError(_("Choose one or more values."))
    return _multi(field, raw)


def custom_fields_clean(
    entity: str,
    raw: Any,
    *,
    creating: bool,
    require: bool = True,
    fields: list[CustomField] | None = None,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """({key: stored value, or None to clear it}, errors by `custom_fields.<key>`).

    Unknown or archived keys are refused. A required field must have a value when a record is
    created (with `require`), and may not be cleared later; left out of a change, it stays."""
    definitions = fields if fields is not None else custom_fields_of(entity)
    by_key = {f.key: f for f in definitions}
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        errors[PREFIX] = [_("Expected an object of custom field keys and values.")]
        return values, errors
    for key, given in raw.items():
        field = by_key.get(str(key))
        if field is None:
            errors[error_key(str(key))] = [_("Unknown custom field '%(key)s'.") % {"key": key}]
            continue
        if _is_empty(given):
            if field.required and require:
                errors[error_key(field.key)] = [
                    _("%(label)s is required.") % {"label": field.label}
                ]
            else:
                values[field.key] = None
            continue
        try:
            value = custom_field_value(field, given)
        except ValidationError as exc:
            errors[error_key(field.key)] = [f"{field.label}: {message}" for message in exc.messages]
            continue
        if value in ([], ""):
            value = None
        if value is None and field.required and require:
            errors[error_key(field.key)] = [_("%(label)s is required.") % {"label": field.label}]
            continue
        values[field.key] = value
    if creating and require:
        for field in definitions:
            if field.required and field.key not in raw and error_key(field.key) not in errors:
                errors[error_key(field.key)] = [
                    _("%(label)s is required.") % {"label": field.label}
                ]
    return values, errors


def custom_fields_merge(current: dict[str, Any] | None, changes: dict[str, Any]) -> dict[str, Any]:
    """The record's values after a change (None clears a key; others are kept as they are)."""
    merged = dict(current or {})
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def custom_field_display(field: CustomField, value: Any) -> str:
    """A stored value as the pages show it ("" for none)."""
    if value in (None, "", []):
        return ""
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if field.kind == CustomField.Kind.AMOUNT:
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        return f"{amount:,.2f}".rstrip("0").rstrip(".") + " " + _("yuan")
    return str(value)


def custom_field_rows(
    fields: list[CustomField], values: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """[{field, value, display}] of every given field for a record (the 360 page, the list)."""
    values = values or {}
    return [
        {
            "field": f,
            "value": values.get(f.key),
            "display": custom_field_display(f, values.get(f.key)),
        }
        for f in fields
    ]


def custom_fields_labelled(values: dict[str, Any] | None, labels: dict[str, str]) -> dict[str, Any]:
    """{label: value} of a record's values, for the audit trail (a key no field names is kept
    under its key)."""
    return {labels.get(key, key): value for key, value in (values or {}).items()}


def custom_field_labels(entity: str) -> dict[str, str]:
    """{key: label} of every field of the entity, archived ones too (history names them)."""
    return dict(CustomField.objects.filter(entity=entity).values_list("key", "label"))


def custom_field_initial(field: CustomField, value: Any) -> Any:
    """A stored value as a form shows it before editing."""
    if value is None:
        return [] if field.kind == CustomField.Kind.MULTI_CHOICE else ""
    if field.kind == CustomField.Kind.AMOUNT:
        try:
            return f"{Decimal(str(value)):f}"
        except InvalidOperation:
            return str(value)
    return value


def custom_fields_out(entity: str, values: dict[str, Any] | None, holder: Any) -> dict[str, Any]:
    """{key: value or None} of every active field (the API's `custom_fields`); the definitions
    are read once per request (`holder`, the request, keeps them)."""
    cache_name = f"_kehu_custom_fields_{entity}"
    fields = getattr(holder, cache_name, None) if holder is not None else None
    if fields is None:
        fields = custom_fields_of(entity)
        if holder is not None:
            setattr(holder, cache_name, fields)
    values = values or {}
    return {f.key: values.get(f.key) for f in fields}


# --- The customer list's filters: cf_<key>=value (the page and GET /api/v1/customers)

FILTER_PREFIX = "cf_"


def custom_filter_params(query: Any) -> dict[str, str]:
    """The cf_<key> parameters of a query string (a QueryDict or a dict), non-empty ones."""
    return {
        name: str(query.get(name)).strip()
        for name in query
        if name.startswith(FILTER_PREFIX) and str(query.get(name) or "").strip()
    }


class _ArrayHas(Expression):
    """SQLite: the JSON array under `custom_fields -> key` holds `value` (json_each; PostgreSQL
    uses jsonb containment instead). Compiled with the query's own alias for the table."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, key: str, value: str) -> None:
        super().__init__()
        self.array: Any = KeyTransform(key, "custom_fields")
        self.value: Any = Value(value)

    def get_source_expressions(self) -> list[Any]:
        return [self.array, self.value]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.array, self.value = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        array_sql, array_params = compiler.compile(self.array)
        value_sql, value_params = compiler.compile(self.value)
        sql = f"EXISTS (SELECT 1 FROM json_each({array_sql}) WHERE json_each.value = {value_sql})"
        return sql, (*array_params, *value_params)


def _array_has(key: str, value: str) -> Q | Expression:
    if connection.vendor == "postgresql":
        return Q(**{f"custom_fields__{key}__contains": [value]})
    return _ArrayHas(key, value)


def custom_fields_filter(
    queryset: QuerySet[Any], params: dict[str, Any], errors: dict[str, list[str]]
) -> QuerySet[Any]:
    """Filter customers by cf_<key>=value: the stored value equals it (text, number, amount,
    date, a single choice), or a multiple choice includes it. Bad ones land in `errors`."""
    given = {k: v for k, v in custom_filter_params(params).items()}
    if not given:
        return queryset
    fields = {f.key: f for f in custom_fields_of(CustomField.Entity.CUSTOMER)}
    for name, text in given.items():
        field = fields.get(name.removeprefix(FILTER_PREFIX))
        if field is None:
            errors[name] = [
                _("Unknown custom field '%(key)s'.") % {"key": name.removeprefix(FILTER_PREFIX)}
            ]
            continue
        try:
            if field.kind == CustomField.Kind.MULTI_CHOICE:
                queryset = queryset.filter(_array_has(field.key, _choice(field, text)))
            else:
                value = custom_field_value(field, text)
                # its index's expression (custom_field_index)
                queryset = queryset.filter(key_equals(field.key, value))
        except ValidationError as exc:
            errors[name] = [f"{field.label}: {message}" for message in exc.messages]
    return queryset


def custom_list_columns() -> list[CustomField]:
    """The customer fields an administrator shows as columns of the customer list by default."""
    return [f for f in custom_fields_of(CustomField.Entity.CUSTOMER) if f.show_in_list]


# --- Sorting the customer list by a custom field: order=cf_<key> (or -cf_<key>)

SORT_ALIAS = "cf_sort"  # the annotation the list is ordered by (kehu.core.pagination)


class CustomSortKey(Expression):
    """A customer's value of one custom field as a typed sort key, NULL when empty (the list
    puts those last both ways): a number or an amount by value (numeric), a date as a date, a
    choice by its place among the field's choices (a multiple choice by its first value), text
    by its characters. A stored value of another shape (none is written: custom_fields_clean
    checks every value) counts as empty instead of breaking a cast on PostgreSQL."""

    def __init__(self, field: CustomField) -> None:
        kind = field.kind
        output: Any
        if kind in (CustomField.Kind.NUMBER, CustomField.Kind.AMOUNT):
            output = DecimalField(max_digits=40, decimal_places=10)
        elif kind == CustomField.Kind.DATE:
            output = DateField()
        elif kind in (CustomField.Kind.CHOICE, CustomField.Kind.MULTI_CHOICE):
            output = IntegerField()
        else:
            output = TextField()
        super().__init__(output_field=output)
        self.source: Any = F("custom_fields")
        self.key, self.kind = field.key, kind
        self.choices = [str(c) for c in field.choices or []]

    def get_source_expressions(self) -> list[Any]:
        return [self.source]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.source,) = exprs

    def _ranked(self, value_sql: str) -> tuple[str, list[Any]]:
        if not self.choices:
            return "NULL", []
        whens = " ".join("WHEN %s THEN %s" for _choice in self.choices)
        params: list[Any] = []
        for rank, choice in enumerate(self.choices):
            params += [choice, rank]
        return f"CASE {value_sql} {whens} END", params

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column, column_params = compiler.compile(self.source)
        path = f'$."{self.key}"' + ("[0]" if self.kind == CustomField.Kind.MULTI_CHOICE else "")
        kind_sql = f"JSON_TYPE({column}, %s)"
        value_sql = f"JSON_EXTRACT({column}, %s)"
        params: list[Any] = [*column_params, path, *column_params, path]
        if self.kind == CustomField.Kind.NUMBER:
            sql = (
                f"CAST(CASE WHEN {kind_sql} IN ('integer', 'real') THEN {value_sql} END AS NUMERIC)"
            )
        elif self.kind == CustomField.Kind.AMOUNT:
            sql = f"CAST(CASE WHEN {kind_sql} = 'text' THEN {value_sql} END AS NUMERIC)"
        elif self.kind == CustomField.Kind.DATE:
            sql = (
                f"CASE WHEN {kind_sql} = 'text' AND DATE({value_sql}) = {value_sql} "
                f"THEN {value_sql} END"
            )
            params += [*column_params, path, *column_params, path]
        elif self.kind in (CustomField.Kind.CHOICE, CustomField.Kind.MULTI_CHOICE):
            ranked, ranks = self._ranked(value_sql)
            sql = f"CASE WHEN {kind_sql} = 'text' THEN {ranked} END"
            params = [*column_params, path, *column_params, path, *ranks]
            if ranked == "NULL":
                params = [*column_params, path]
        else:
            sql = f"CASE WHEN {kind_sql} = 'text' THEN {value_sql} END"
        return sql, tuple(params)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column, column_params = compiler.compile(self.source)
        value = f"({column} -> %s)"
        params: list[Any] = [*column_params, self.key]
        if self.kind == CustomField.Kind.MULTI_CHOICE:
            value = f"({value} -> 0)"  # the first chosen (values are kept in the choices' order)
        kind_sql, text_sql = f"JSONB_TYPEOF({value})", f"({value} #>> '{{}}')"
        if self.kind == CustomField.Kind.NUMBER:
            sql = f"CASE WHEN {kind_sql} = 'number' THEN ({text_sql})::numeric END"
            return sql, (*params, *params)
        if self.kind in (CustomField.Kind.AMOUNT, CustomField.Kind.DATE):
            pattern = (
                r"^-?[0-9]+(\.[0-9]+)?$"
                if self.kind == CustomField.Kind.AMOUNT
                else r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
            )
            cast = "numeric" if self.kind == CustomField.Kind.AMOUNT else "date"
            sql = f"CASE WHEN {text_sql} ~ %s THEN ({text_sql})::{cast} END"
            return sql, (*params, pattern, *params)
        if self.kind in (CustomField.Kind.CHOICE, CustomField.Kind.MULTI_CHOICE):
            ranked, ranks = self._ranked(text_sql)
            if ranked == "NULL":
                return "CAST(NULL AS integer)", ()
            sql = f"CASE WHEN {kind_sql} = 'string' THEN {ranked} END"
            return sql, (*params, *params, *ranks)
        # Code-point order, as on SQLite, whatever the database's locale.
        sql = f"CASE WHEN {kind_sql} = 'string' THEN {text_sql} COLLATE \"C\" END"
        return sql, (*params, *params)


def custom_sort_field(order_key: str) -> CustomField | None:
    """The active customer field an order key (cf_<key> or -cf_<key>) sorts by, else None."""
    name = order_key.removeprefix("-")
    if not name.startswith(FILTER_PREFIX):
        return None
    key = name.removeprefix(FILTER_PREFIX)
    return next((f for f in custom_fields_of(CustomField.Entity.CUSTOMER) if f.key == key), None)


def custom_sorted(queryset: QuerySet[Any], order_key: str) -> tuple[QuerySet[Any], str] | None:
    """(the queryset annotated with the sort key, the keyset order) for a custom field's order
    key; None when it names no active field."""
    field = custom_sort_field(order_key)
    if field is None:
        return None
    direction = "-" if order_key.startswith("-") else ""
    return queryset.annotate(**{SORT_ALIAS: CustomSortKey(field)}), f"{direction}{SORT_ALIAS}"


def custom_fields_diff(
    entity: str, before: dict[str, Any] | None, changes: dict[str, Any]
) -> list[dict[str, str]]:
    """Review-queue diff rows ({field, label, before, after}) of the values that change."""
    labels = custom_field_labels(entity)
    before = before or {}

    def shown(value: Any) -> str:
        if value in (None, "", []):
            return "—"
        return "、".join(map(str, value)) if isinstance(value, list) else str(value)

    return [
        {"field": error_key(key), "label": labels.get(key, key),
         "before": shown(before.get(key)), "after": shown(value)}
        for key, value in changes.items()
        if before.get(key) != value
    ]  # fmt: skip
