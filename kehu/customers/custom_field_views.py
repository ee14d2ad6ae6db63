"""/settings/custom-fields/: an administrator adds, changes and archives custom fields (issue 15).
Thin pages over services.custom_field_*; the same rules as /api/v1/custom-fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts.models import Role
from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import PermissionDenied, ValidationFailed
from kehu.core.personal import PersonalClass

from . import services
from .forms import apply_service_errors
from .models import CustomField


class CustomFieldForm(forms.Form):
    """A field's definition; on an existing field, its key, record type and type are fixed."""

    entity = forms.ChoiceField(label=gettext_lazy("applies to"), choices=CustomField.Entity.choices)
    label = forms.CharField(label=gettext_lazy("label"), max_length=100)
    key = forms.CharField(
        label=gettext_lazy("key"),
        max_length=50,
        help_text=gettext_lazy(
            "Lower-case letters, digits and _; the API, imports and filters (cf_<key>) use it. "
            "It cannot change later."
        ),
    )
    kind = forms.ChoiceField(label=gettext_lazy("type"), choices=CustomField.Kind.choices)
    choices = forms.CharField(
        label=gettext_lazy("choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("For single and multiple choice: one choice per line."),
    )
    required = forms.BooleanField(label=gettext_lazy("required"), required=False)
    help_text = forms.CharField(label=gettext_lazy("help text"), required=False, max_length=300)
    position = forms.IntegerField(label=gettext_lazy("position"), required=False, min_value=0)
    show_in_list = forms.BooleanField(
        label=gettext_lazy("show in the customer list (a column and a filter)"), required=False
    )
    personal_class = forms.ChoiceField(
        label=gettext_lazy("personal data class"),
        choices=[("", "—"), *PersonalClass.choices],
        help_text=gettext_lazy(
            "Does the field hold information about a person? Sensitive personal information "
            "(ID numbers, bank accounts, health) needs separate consent."
        ),
    )
    is_active = forms.BooleanField(label=gettext_lazy("active"), required=False)

    def __init__(self, *args: Any, field: CustomField | None = None, **kwargs: Any) -> None:
        if field is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "entity": field.entity,
                "label": field.label,
                "key": field.key,
                "kind": field.kind,
                "choices": "\n".join(field.choices or []),
                "required": field.required,
                "help_text": field.help_text,
                "position": field.position,
                "show_in_list": field.show_in_list,
                "personal_class": field.personal_class,
                "is_active": field.is_active,
            }
        super().__init__(*args, **kwargs)
        self.field = field
        if field is None:
            del self.fields["is_active"]
        else:
            for name in ("entity", "key", "kind"):
                self.fields[name].disabled = True  # fixed once the field exists

    def payload(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        if self.field is not None:
            for name in ("entity", "key", "kind"):
                data.pop(name)
        if data.get("position") is None:
            data.pop("position", None)
        data["choices"] = self.cleaned_data.get("choices") or ""
        return data


def _admin(request: AuthedRequest) -> None:
    if request.user.role != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator may change custom fields."))


@login_required
@require_http_methods(["GET", "POST"])
def custom_field_list(request: AuthedRequest) -> HttpResponse:
    """Every field (archived ones marked), and the form that adds one."""
    _admin(request)
    form = CustomFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            field = services.custom_field_create(actor=request.user, data=form.payload())
        except ValidationFailed as exc:
            apply_service_errors(form, exc, {})
        else:
            messages.success(request, _("Custom field %(label)s added.") % {"label": field.label})
            return redirect("custom-field-list")
    context = {
        "form": form,
        "fields": CustomField.objects.order_by("entity", "-is_active", "position", "id"),
    }
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "customers/custom_fields.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def custom_field_edit(request: AuthedRequest, field_id: int) -> HttpResponse:
    _admin(request)
    field = get_object_or_404(CustomField, pk=field_id)
    form = CustomFieldForm(request.POST or None, field=field)
    if request.method == "POST" and form.is_valid():
        try:
            services.custom_field_update(actor=request.user, field=field, data=form.payload())
        except ValidationFailed as exc:
            apply_service_errors(form, exc, {})
        else:
            messages.success(request, _("Custom field %(label)s saved.") % {"label": field.label})
            return redirect("custom-field-list")
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request, "customers/custom_field_form.html", {"form": form, "field": field}, status=status
    )


@login_required
@require_POST
def custom_field_archive(request: AuthedRequest, field_id: int) -> HttpResponse:
    """Archive: hidden everywhere, no new values; the records keep theirs."""
    _admin(request)
    field = get_object_or_404(CustomField, pk=field_id)
    services.custom_field_archive(actor=request.user, field=field)
    messages.success(request, _("Custom field %(label)s archived.") % {"label": field.label})
    return redirect("custom-field-list")
