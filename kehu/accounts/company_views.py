"""/settings/company/: administrators see and change the company's settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kehu.core.company import company_settings
from kehu.core.errors import PermissionDenied, ValidationFailed

from .company import company_settings_update
from .forms import CompanySettingsForm
from .policy import can_change_company_settings
from .requests import AuthedRequest


@login_required
@require_http_methods(["GET", "POST"])
def company_settings_edit(request: AuthedRequest) -> HttpResponse:
    if not can_change_company_settings(request.user):
        raise PermissionDenied(_("Only an administrator may change the company settings."))
    values = company_settings()
    form = CompanySettingsForm(
        request.POST or None, initial=CompanySettingsForm.initial_from(values)
    )
    if request.method == "POST" and form.is_valid():
        try:
            company_settings_update(actor=request.user, data=form.payload())
        except ValidationFailed as exc:
            for key, problems in exc.errors.items():
                for problem in problems:
                    form.add_error(key if key in form.fields else None, problem)
        else:
            messages.success(request, _("Company settings saved."))
            return redirect("company-settings")
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "values": values}
    return render(request, "accounts/company_settings.html", context, status=status)
