"""The profile page's form: a new API token."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApiToken


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
