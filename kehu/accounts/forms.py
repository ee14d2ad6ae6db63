"""The profile page's form (a new API token) and the administrator's user form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Role, Team


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("name"),
        required=False,
        max_length=100,
        help_text=_("What the token is for, e.g. 'ERP sync'."),
    )
    scope = forms.ChoiceField(
        label=_("scope"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ_WRITE
    )


class UserAdminForm(forms.Form):
    """An administrator creates or changes a user (kehu.accounts.users validates)."""

    username = forms.CharField(label=_("username"), max_length=150)
    display_name = forms.CharField(label=_("display name"), required=False, max_length=100)
    email = forms.CharField(
        label=_("email"), required=False, max_length=254, widget=forms.EmailInput()
    )
    role = forms.ChoiceField(label=_("role"), choices=Role.choices, initial=Role.REP)
    team = forms.ChoiceField(label=_("team"), required=False)
    steward_unit = forms.ChoiceField(
        label=_("business unit (data stewards)"),
        required=False,
        help_text=_("A data steward with a unit sees and merges only that team's customers."),
    )
    can_reveal_pii = forms.BooleanField(
        label=_("may reveal masked contact details"), required=False
    )
    can_edit_finance = forms.BooleanField(label=_("may edit finance fields"), required=False)
    requires_two_factor = forms.BooleanField(
        label=_("requires two-factor sign-in"),
        required=False,
        help_text=_("Managers, administrators and data stewards always sign in with two factors."),
    )
    is_active = forms.BooleanField(
        label=_("active"),
        required=False,
        initial=True,
        help_text=_("To move a leaving user's customers, use 'Deactivate and hand over'."),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = [("", "—"), *((t.name, t.name) for t in Team.objects.order_by("name"))]
        cast(forms.ChoiceField, self.fields["team"]).choices = teams
        cast(forms.ChoiceField, self.fields["steward_unit"]).choices = teams
        if editing:
            del self.fields["username"]
        else:
            del self.fields["is_active"]

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["team"] = data.get("team") or None
        data["steward_unit"] = data.get("steward_unit") or None
        return data


WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]


class CompanySettingsForm(forms.Form):
    """The company settings page; kehu.accounts.company checks every value (all at once)."""

    name = forms.CharField(label=_("company name"), required=False, max_length=200)
    time_zone = forms.CharField(
        label=_("time zone"),
        required=False,
        max_length=64,
        help_text=_("An IANA name such as Asia/Shanghai; users who chose none see times in it."),
    )
    working_days = forms.MultipleChoiceField(
        label=_("working days"),
        required=False,
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
    )
    holidays = forms.CharField(
        label=_("holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Dates that are not business days: one per line or comma-separated."),
    )
    extra_workdays = forms.CharField(
        label=_("extra working days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Weekend dates that are worked (调休): one per line or comma-separated."),
    )
    pool_claim_limit = forms.CharField(
        label=_("pool claims per person a day"),
        required=False,
        max_length=10,
        help_text=_("A team's own limit applies when it is lower; 0 turns claiming off."),
    )

    two_factor_roles = forms.MultipleChoiceField(
        label=_("two-factor sign-in for"),
        required=False,
        choices=[("all", _("All roles")), *Role.choices],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "These roles sign in with a password and a code from an authenticator app; "
            '"All roles" includes roles added later.'
        ),
    )

    @staticmethod
    def initial_from(values: Any) -> dict[str, Any]:
        return {
            "two_factor_roles": list(values.two_factor_roles),
            "name": values.name,
            "time_zone": values.time_zone,
            "working_days": [str(d) for d in values.working_days],
            "holidays": "\n".join(sorted(values.holidays)),
            "extra_workdays": "\n".join(sorted(values.extra_workdays)),
            "pool_claim_limit": str(values.pool_claim_limit),
        }

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["working_days"] = [int(d) for d in data.get("working_days") or []]
        return data
