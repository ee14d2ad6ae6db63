"""The administrator's registration form for a connected application."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import User

from .scopes import SCOPES


class UserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.label} ({obj.get_username()})"


class ApplicationForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=255)
    grant_type = forms.ChoiceField(
        label=_("how it signs in"),
        choices=[
            ("authorization-code", _("A user authorises it (authorization code with PKCE)")),
            ("client-credentials", _("Server to server, acting as one user (client credentials)")),
        ],
        initial="authorization-code",
    )
    client_type = forms.ChoiceField(
        label=_("client type"),
        choices=[
            ("confidential", _("Confidential: runs on a server and keeps a secret")),
            ("public", _("Public: runs in a browser or on a phone, no secret")),
        ],
        initial="confidential",
    )
    redirect_uris = forms.CharField(
        label=_("redirect URIs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One address a line, where users return after authorising."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("allowed scopes"), choices=[], widget=forms.CheckboxSelectMultiple
    )
    acts_as = UserChoiceField(
        label=_("acts as"),
        queryset=User.objects.none(),
        required=False,
        to_field_name="username",
        help_text=_("Server-to-server applications only: they see and change what this user may."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scopes = self.fields["scopes"]
        assert isinstance(scopes, forms.MultipleChoiceField)
        # Built per form, so the labels are in the request's language.
        scopes.choices = [
            (scope, format_html("{} <code>{}</code>", label, scope))
            for scope, label in SCOPES.items()
        ]
        field = self.fields["acts_as"]
        assert isinstance(field, UserChoiceField)
        field.queryset = User.objects.filter(is_active=True).order_by("username")

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "grant_type": data["grant_type"],
            "client_type": data["client_type"],
            "redirect_uris": data["redirect_uris"].split(),
            "scopes": list(data["scopes"]),
            "acts_as": data["acts_as"],
        }
