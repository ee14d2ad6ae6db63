"""Forms of the customer-360 page. Their rules are the services' rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.audit.services import tombstone_shown
from kehu.contacts.validators import contact_clean
from kehu.core.errors import ValidationFailed
from kehu.customers.custom_field_forms import (
    FORM_PREFIX,
    add_custom_fields,
    custom_error_aliases,
    custom_payload,
)
from kehu.customers.forms import BLANK, apply_service_errors
from kehu.customers.models import Contact, Customer, CustomField
from kehu.interactions.models import Interaction
from kehu.interactions.services import interaction_clean
from kehu.interactions.validators import STANDARD_REQUIRED

from .labels import feedback_choices


class InteractionForm(forms.Form):
    """Quick-add of an interaction; field names are the API's."""

    method = forms.ChoiceField(label=_("method"), choices=BLANK + Interaction.Method.choices)
    occurred_at = forms.CharField(
        label=_("occurred at"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    contact_id = forms.ChoiceField(label=_("contact"), required=False)
    topic = forms.CharField(label=_("topic"), required=False, max_length=200)
    summary = forms.CharField(
        label=_("summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    feedback = forms.ChoiceField(
        label=_("customer feedback"), required=False, choices=BLANK + feedback_choices()
    )
    next_action = forms.CharField(label=_("next action"), required=False, max_length=300)
    next_action_due = forms.CharField(
        label=_("next action due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    next_action_owner = forms.CharField(
        label=_("next action by"),
        required=False,
        max_length=150,
        help_text=_("A colleague's name; leave empty for yourself. It becomes their task."),
    )

    def __init__(self, *args: Any, customer: Customer, contacts: list[Contact], **kwargs: Any):
        kwargs.setdefault("auto_id", "qi_%s")
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["summary"].widget.attrs["data-mention"] = customer.customer_no  # @colleague
        for name, message in STANDARD_REQUIRED.items():  # the field standard's, marked *
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message
        cast(forms.ChoiceField, self.fields["contact_id"]).choices = BLANK + [
            (str(c.pk), tombstone_shown(c.name)) for c in contacts if not c.has_left
        ]

    def payload(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}

    def clean(self) -> dict[str, Any] | None:
        """The form's checks, then the service's rules on the rest: every error in one round."""
        cleaned = super().clean()
        failed = set(self.errors)
        try:
            interaction_clean(self.payload(), customer=self.customer, creating=True)
        except ValidationFailed as exc:
            left = {k: v for k, v in exc.errors.items() if k not in failed}
            if left:
                self.add_service_errors(ValidationFailed(left))
        return cleaned

    def add_service_errors(self, exc: ValidationFailed) -> None:
        apply_service_errors(self, exc, {})


class ContactForm(forms.Form):
    """Add a contact to a customer."""

    name = forms.CharField(label=_("full name"), max_length=100)
    title = forms.CharField(label=_("title"), required=False, max_length=100)
    department = forms.CharField(label=_("department"), required=False, max_length=100)
    mobile = forms.CharField(
        label=_("mobile"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    landline = forms.CharField(label=_("landline"), required=False, max_length=40)
    email = forms.CharField(
        label=_("email"), required=False, max_length=254, widget=forms.EmailInput()
    )
    wechat = forms.CharField(label=_("WeChat"), required=False, max_length=64)
    contact_type = forms.ChoiceField(
        label=_("contact type"), choices=Contact.ContactType.choices, required=False
    )
    decision_role = forms.ChoiceField(
        label=_("decision-chain role"),
        choices=BLANK + Contact.DecisionRole.choices,
        required=False,
    )
    is_primary = forms.BooleanField(label=_("primary contact"), required=False)

    def __init__(
        self,
        *args: Any,
        custom_values: dict[str, Any] | None = None,
        custom_fields: list[CustomField] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "contact_%s")
        super().__init__(*args, **kwargs)
        # The administrator's contact fields (issue 15): cf_<key>, after the contact's own.
        self.custom_values = custom_values  # the contact's (an edit), None for a new one
        self.custom_fields = add_custom_fields(
            self, CustomField.Entity.CONTACT, custom_values, fields=custom_fields
        )

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            name: self.cleaned_data.get(name) or ""
            for name in self.fields
            if name != "is_primary" and not name.startswith(FORM_PREFIX)
        }
        data["is_primary"] = bool(self.cleaned_data.get("is_primary"))
        if self.custom_fields:
            data["custom_fields"] = custom_payload(self, self.custom_fields, self.custom_values)
        return data

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if not self.errors:
            try:
                contact_clean(self.payload(), creating=True)
            except ValidationFailed as exc:
                self.add_service_errors(exc)
        return cleaned

    def add_service_errors(self, exc: ValidationFailed) -> None:
        aliases = {"phone": "mobile", **custom_error_aliases(self.custom_fields)}
        apply_service_errors(self, exc, aliases)


class ContactEditForm(ContactForm):
    """Change a contact (the service validates; its errors land on the fields). Phones, e-mail
    and WeChat that the user sees masked are shown as placeholders and kept when left empty."""

    # Optimistic locking (kehu.core.versioning): the version the form was opened at, and its
    # values then (kehu.core.edit_conflicts merges them with the contact's after a conflict).
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    base = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, placeholders: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, shown in (placeholders or {}).items():
            self.fields[name].widget.attrs["placeholder"] = shown
            self.fields[name].help_text = _("Shown masked; leave empty to keep it.")

    @property
    def compared(self) -> list[str]:
        """The fields a version conflict compares (all but the hidden ones)."""
        return [name for name in self.fields if name not in ("version", "base")]

    def clean(self) -> dict[str, Any] | None:
        return forms.Form.clean(self)

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        data.pop("base", None)
        data["version"] = self.cleaned_data.get("version")
        return data
