"""The customer list's columns: which there are, which show by default, how each sorts.

The list page shows the customer (name and number) first, then the columns chosen with `cols`
(comma-separated keys, kept in saved views); a column with `sort` sorts by that ORDERINGS key
from its header (again: the other way). Each active custom field of customers is a column too,
`cf_<key>`, sorted by `order=cf_<key>` (custom_fields.CustomSortKey); those the administrator
shows in the list are in the default set.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .custom_fields import FILTER_PREFIX, custom_fields_of
from .models import CustomField


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    sort: str = ""  # the ascending ORDERINGS key; "" for a column that does not sort
    field: CustomField | None = None  # a custom field's column


COLUMNS: dict[str, Column] = {
    c.key: c
    for c in (
        Column("status", _("status"), "status"),
        Column("industry", _("industry"), "industry"),
        Column("owner", _("owner"), "owner"),
        Column("team", _("team"), "team"),
        Column("region", _("region")),
        Column("source", _("source")),
        Column("completeness", _("completeness"), "completeness"),
        Column("last_interaction", _("last interaction"), "last_interaction"),
        Column("created", _("created at"), "created_at"),
        Column("updated", _("updated at"), "updated_at"),
        Column("octant", _("value octant")),  # the value row (kehu.value, issue 17)
        Column("grade", _("grade")),
        Column("lifecycle", _("lifecycle")),
        Column("rfm", _("RFM score")),
    )
}
DEFAULT_COLUMNS = ["status", "industry", "owner", "completeness", "last_interaction"]
NAME_SORT = "name"  # the first column (the customer) sorts by name


def all_columns() -> dict[str, Column]:
    """The built-in columns, then one per active custom field of customers (one query)."""
    custom = {
        f"{FILTER_PREFIX}{f.key}": Column(
            f"{FILTER_PREFIX}{f.key}", f.label, f"{FILTER_PREFIX}{f.key}", field=f
        )
        for f in custom_fields_of(CustomField.Entity.CUSTOMER)
    }
    return {**COLUMNS, **custom}


def default_column_keys(columns: dict[str, Column] | None = None) -> list[str]:
    """The columns shown when none are chosen: the built-in set and the custom fields the
    administrator shows in the list."""
    columns = all_columns() if columns is None else columns
    custom = [k for k, c in columns.items() if c.field is not None and c.field.show_in_list]
    return [*DEFAULT_COLUMNS, *custom]


def chosen_columns(
    raw: str | list[str] | None, columns: dict[str, Column] | None = None
) -> list[Column]:
    """The columns `cols` asks for, in the registry's order; unknown keys are dropped, and
    nothing chosen means the default set."""
    columns = all_columns() if columns is None else columns
    keys = raw.split(",") if isinstance(raw, str) else list(raw or [])
    wanted = {k.strip() for k in keys if k.strip() in columns}
    return [c for k, c in columns.items() if k in wanted] or [
        columns[k] for k in default_column_keys(columns)
    ]


def sort_link(params: dict[str, str], key: str, current: str) -> dict[str, str]:
    """The URL that sorts by `key` (again: the other way) and the arrow the header shows."""
    descending = f"-{key}"
    is_up, is_down = current == key, current == descending
    return {
        "url": "?" + urlencode({**params, "order": descending if is_up else key}),
        "arrow": "▲" if is_up else "▼" if is_down else "",
    }
