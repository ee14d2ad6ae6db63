"""The segment editor's form: name, description, visibility, filters, follow-up rule."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.errors import ValidationFailed

from .models import Segment
from .selectors import COMPANY_ROLES


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=80)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    visibility = forms.ChoiceField(label=_("visible to"), choices=Segment.Visibility.choices)
    query = forms.CharField(
        label=_("filters"),
        max_length=2000,
        help_text=_(
            "The customer list's filters, as its address carries them. Easiest: set the "
            "filters on the customer list and press “Save as segment”."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    followup_cadence = forms.ChoiceField(
        label=_("Recurring follow-up"),
        required=False,
        choices=[("", _("None"))] + list(Segment.Cadence.choices),
        help_text=_(
            "Each period, a task for the owner of every customer in the segment that has no open "
            "task from this rule."
        ),
    )
    followup_title = forms.CharField(label=_("task title"), required=False, max_length=200)
    followup_due_days = forms.IntegerField(
        label=_("task due in (days)"), min_value=0, max_value=90, initial=3
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = list(Segment.Visibility.choices)
        if not user.team_id:
            choices = [c for c in choices if c[0] != Segment.Visibility.TEAM]
        if user.role not in COMPANY_ROLES:
            choices = [c for c in choices if c[0] != Segment.Visibility.COMPANY]
        cast(forms.ChoiceField, self.fields["visibility"]).choices = choices

    def add_service_errors(self, exc: ValidationFailed) -> None:
        """A service's errors on their fields; a filter's (status, tag, cf_…) on the filters."""
        for key, messages in exc.errors.items():
            for message in messages:
                if key in self.fields:
                    self.add_error(key, message)
                else:
                    self.add_error("query", f"{key}: {message}")
