"""/value/ (the octant chart of the customers the user may see) and /settings/value/ (the
administrator's thresholds, windows, octant actions and grade rules)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import PermissionDenied, ValidationFailed

from .octants import DEFAULT_GRADES, OCTANTS, octant_name
from .selectors import value_counts_for
from .services.settings import (
    COUNTS,
    DAYS,
    THRESHOLDS,
    can_manage_value,
    settings_out,
    value_settings_update,
)
from .settings_model import ValueSettings


@login_required
def value_octants_page(request: AuthedRequest) -> HttpResponse:
    counts = value_counts_for(request.user)
    list_url = reverse("customer-list")
    for row in counts["octants"]:
        row["url"] = f"{list_url}?octant={row['code']}"
    chart = {
        "octants": [
            {"code": r["code"], "label": r["label"], "count": r["count"], "url": r["url"]}
            for r in counts["octants"]
        ],
        "lifecycles": counts["lifecycles"],
        "grades": counts["grades"],
        "title": _("Customers per value octant"),
    }
    return render(request, "value/octants.html", {"counts": counts, "chart": chart,
                                                  "list_url": list_url})  # fmt: skip


def _label(name: str) -> Any:
    """The settings field's verbose name."""
    field = ValueSettings._meta.get_field(name)
    return getattr(field, "verbose_name", name)


def _number(raw: str) -> Any:
    raw = (raw or "").strip()
    if raw == "":
        return None
    try:
        number = float(raw)
    except ValueError:
        return raw  # the service names it
    return int(number) if number.is_integer() else number


@login_required
def value_settings_page(request: AuthedRequest) -> HttpResponse:
    if not can_manage_value(request.user):
        raise PermissionDenied(_("Only an administrator may change the value settings."))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data: dict[str, Any] = {}
        for name in (*THRESHOLDS, *DAYS, *COUNTS):
            if name in request.POST:
                data[name] = _number(request.POST[name])
        data["octant_actions"] = {code: request.POST.get(f"action_{code}", "") for code in OCTANTS}
        data["grade_rules"] = {
            code: request.POST.get(f"grade_{code or 'none'}", "") or DEFAULT_GRADES[code]
            for code in DEFAULT_GRADES
        }
        try:
            value_settings_update(actor=request.user, data=data)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Saved. The nightly run applies the new settings."))
            return redirect("value-settings")
    current = settings_out()
    context = {
        "s": current,
        "errors": errors,
        "numbers": [(name, _label(name), current[name]) for name in (*THRESHOLDS, *DAYS, *COUNTS)],
        "octants": [
            (code, octant_name(code), current["octant_actions"][code], current["grade_rules"][code])
            for code in OCTANTS
        ],  # fmt: skip
        "none_grade": current["grade_rules"][""],
    }
    return render(request, "value/settings.html", context, status=422 if errors else 200)
