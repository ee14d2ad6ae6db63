"""The customer list's filter form (its filters, sort and columns); the list page's only form
besides the bulk actions and saved views."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.apps import apps
from django.http import QueryDict
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import Team
from kehu.core.regions import region_get, region_path

from .columns import COLUMNS, all_columns, chosen_columns, default_column_keys
from .custom_field_forms import add_custom_filters
from .forms import (
    BLANK,
    REGION_FIELDS,
    REGION_LABELS,
    industry_choices,
    region_picker,
    source_choices,
)
from .models import Customer


def _date_filter(label: Any) -> forms.DateField:
    """A day the list filters from or to (the browser's date picker; customer_filter parses)."""
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CustomerFilterForm(forms.Form):
    """The list page's filters; the names are the API's query parameters."""

    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=BLANK + Customer.Status.choices
    )
    industry = forms.ChoiceField(label=_("industry"), required=False)
    size = forms.ChoiceField(label=_("size"), required=False, choices=BLANK + Customer.Size.choices)
    source = forms.ChoiceField(label=_("source"), required=False)
    owner = forms.CharField(label=_("owner"), required=False)
    team = forms.ChoiceField(label=_("team"), required=False)
    province = forms.CharField(
        label=_("province"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 广东省")}),
    )
    city = forms.CharField(
        label=_("city"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 深圳市")}),
    )
    # A GB/T 2260 code: the customers in it and under it. The page picks it with three selects
    # named region (省 › 市 › 区, _region_filter.html); params() keeps the most specific one.
    region = forms.CharField(label=_("region"), required=False)
    quality = forms.ChoiceField(
        label=_("data quality"), required=False, choices=BLANK + Customer.Quality.choices
    )
    budget_min = forms.CharField(
        label=_("Budget from"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    budget_max = forms.CharField(
        label=_("Budget to"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    octant = forms.ChoiceField(label=_("value octant"), required=False)
    grade = forms.ChoiceField(label=_("grade"), required=False)
    lifecycle = forms.ChoiceField(label=_("lifecycle"), required=False)
    rfm_min = forms.CharField(
        label=_("RFM score from"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    rfm_max = forms.CharField(
        label=_("RFM score to"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    tag = forms.CharField(
        label=_("tags"),
        required=False,
        # list: the tag library's names (a datalist on the list page) to pick from.
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. 高价值, 制造业"), "list": "tag-library"}
        ),
    )
    tag_type = forms.ChoiceField(label=_("tag type"), required=False, choices=BLANK)
    tag_mode = forms.ChoiceField(
        label=_("Tag match"),
        required=False,
        choices=[
            ("", _("All of these tags")),
            ("any", _("Any of these tags")),
            ("none", _("None of these tags")),
        ],
    )
    created_from = _date_filter(_("Created from"))
    created_to = _date_filter(_("Created to"))
    last_contact_from = _date_filter(_("Last contact from"))
    last_contact_to = _date_filter(_("Last contact to"))
    won_from = _date_filter(_("Won from"))
    won_to = _date_filter(_("Won to"))
    idle_days = forms.IntegerField(
        label=_("No contact for at least (days)"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "90"}),
    )
    incomplete = forms.BooleanField(label=_("Incomplete only"), required=False)
    pool = forms.BooleanField(label=_("Unassigned / team pool only"), required=False)
    order = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("name", _("Name, A to Z")),
            ("-name", _("Name, Z to A")),
            ("-completeness", _("Most complete first")),
            ("completeness", _("Least complete first")),
            ("-updated_at", _("Recently changed first")),
            ("status", _("Status")),
            ("industry", _("Industry")),
            ("owner", _("Owner")),
            ("-last_interaction", _("Most recently contacted first")),
            ("last_interaction", _("Longest without contact first")),
        ],
    )
    cols = forms.MultipleChoiceField(
        label=_("Columns"),
        required=False,
        choices=[(c.key, c.label) for c in COLUMNS.values()],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, owners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        value = apps.get_model("value", "CustomerValue")  # kehu.value sits above (issue 17)
        for name, value_choices in (
            ("octant", value.OCTANT_CHOICES),
            ("grade", value._meta.get_field("grade").choices),
            ("lifecycle", value._meta.get_field("lifecycle").choices),
        ):
            cast(forms.ChoiceField, self.fields[name]).choices = BLANK + list(value_choices)
        self.columns = all_columns()  # the built-in ones and the custom fields' (issue 15)
        cast(forms.MultipleChoiceField, self.fields["cols"]).choices = [
            (c.key, c.label) for c in self.columns.values()
        ]
        if isinstance(self.data, QueryDict):  # cols=a&cols=b (the boxes) or cols=a,b (a view)
            data = self.data.copy()
            picked = chosen_columns(",".join(data.getlist("cols")), self.columns)
            data.setlist("cols", [c.key for c in picked])
            self.data = data
        # Every order a column header links to is a choice too, so "Apply filters" keeps it.
        order = cast(forms.ChoiceField, self.fields["order"])
        choices: list[tuple[str, Any]] = list(cast(list[tuple[str, Any]], order.choices))
        offered = {value for value, _label in choices}
        for column in self.columns.values():
            for key, arrow in ((column.sort, "↑"), (f"-{column.sort}", "↓")):
                if column.sort and key not in offered:
                    choices.append((key, format_lazy("{} {}", column.label, arrow)))
                    offered.add(key)
        order.choices = choices
        tops, _subs = industry_choices()
        cast(forms.ChoiceField, self.fields["industry"]).choices = tops
        cast(forms.ChoiceField, self.fields["source"]).choices = source_choices()
        tag_types = apps.get_model("tags", "TagType")._default_manager.values_list("code", "name")
        cast(forms.ChoiceField, self.fields["tag_type"]).choices = BLANK + list(tag_types)
        self.tag_library = list(
            apps.get_model("tags", "Tag")
            ._default_manager.filter(is_active=True)
            .order_by("type__position", "name")
            .values_list("name", flat=True)
        )
        self.fields["owner"].widget = forms.Select(choices=owners)
        teams = Team.objects.order_by("name").values_list("name", flat=True)
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", "—")] + [(t, t) for t in teams]
        add_custom_filters(self)  # cf_<key> of the custom fields shown as columns (issue 15)

    @property
    def custom_filter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("cf_")]

    def region_value(self) -> str:
        """The most specific region chosen: each select's code counts only under the one above
        (a city left from another province, without JavaScript, gives way to the province)."""
        getlist = getattr(self.data, "getlist", None)
        values = getlist("region") if getlist else [self.data.get("region", "")]
        chosen = ""
        for value in (str(v).strip() for v in values):
            region = region_get(chosen) if chosen else None
            if value and (not chosen or (region is not None and value.startswith(region.prefix))):
                chosen = value
        return chosen

    def region_levels(self) -> list[dict[str, Any]]:
        """The three selects of the region filter, for the template."""
        path = region_path(self.region_value())
        values = [path[i].code if i < len(path) else "" for i in range(3)]
        return [
            {"level": name, "label": label, "selected": value, "options": choices}
            for name, label, (value, choices) in zip(
                REGION_FIELDS, REGION_LABELS, region_picker(values), strict=True
            )
        ]

    def params(self) -> dict[str, str]:
        """The filters the user set, as given (customer_filter parses and names bad ones)."""
        params: dict[str, str] = {}
        for name in self.fields:
            value = self.region_value() if name == "region" else self.data.get(name, "")
            if name == "incomplete":
                value = "1" if value in ("1", "on", "true", "yes") else ""
            if name == "pool":
                value = "true" if value in ("1", "on", "true", "yes") else ""
            if name == "cols":  # kept only when not the default set
                getlist = getattr(self.data, "getlist", None)
                picked = getlist(name) if getlist else str(value or "").split(",")
                value = ",".join(c.key for c in chosen_columns(picked, self.columns))
                if value == ",".join(default_column_keys(self.columns)):
                    value = ""
            if value and str(value).strip():
                params[name] = str(value).strip()
        return params
