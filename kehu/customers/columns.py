"""The customer list's columns: which there are, which show by default, how each sorts.

The list page shows the customer (name and number) first, then the columns chosen with `cols`
(comma-separated keys, kept in saved views); a column with `sort` sorts by that ORDERINGS key
from its header (again: the other way).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    sort: str = ""  # the ascending ORDERINGS key; "" for a column that does not sort


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
    )
}
DEFAULT_COLUMNS = ["status", "industry", "owner", "completeness", "last_interaction"]
NAME_SORT = "name"  # the first column (the customer) sorts by name


def chosen_columns(raw: str | list[str] | None) -> list[Column]:
    """The columns `cols` asks for, in the registry's order; unknown keys are dropped, and
    nothing chosen means the default set."""
    keys = raw.split(",") if isinstance(raw, str) else list(raw or [])
    wanted = {k.strip() for k in keys if k.strip() in COLUMNS}
    return [c for k, c in COLUMNS.items() if k in wanted] or [COLUMNS[k] for k in DEFAULT_COLUMNS]


def sort_link(params: dict[str, str], key: str, current: str) -> dict[str, str]:
    """The URL that sorts by `key` (again: the other way) and the arrow the header shows."""
    descending = f"-{key}"
    is_up, is_down = current == key, current == descending
    return {
        "url": "?" + urlencode({**params, "order": descending if is_up else key}),
        "arrow": "▲" if is_up else "▼" if is_down else "",
    }
