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
        if editing:
            del self.fields["username"]
        else:
            del self.fields["is_active"]

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["team"] = data.get("team") or None
        return data
