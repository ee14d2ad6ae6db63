"""The profile page (who you are, your API tokens: the raw token is shown once), and what an
administrator does to users from the users page: create, change, reset a password or the
two-factor devices (kehu.accounts.users)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kehu.core.company import company_settings
from kehu.core.errors import DomainError, PermissionDenied, ValidationFailed

from . import users
from .auth import session_is_verified
from .forms import ApiTokenForm, UserAdminForm
from .models import ApiToken, User
from .requests import AuthedRequest
from .services import (
    api_token_create,
    api_token_revoke,
    can_reset_two_factor,
    otp_devices_reset,
    user_time_zone_set,
)
from .time_zones import TIME_ZONES, time_zone_label

NEW_TOKEN_SESSION_KEY = "kehu_new_api_token"


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST" and not session_is_verified(request.user):
        return redirect(f"{reverse('otp-verify')}?next={reverse('profile')}")
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, raw = api_token_create(
            actor=request.user,
            user=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
        )
        # Shown on the next page view only (post/redirect/get; a reload does not make another).
        request.session[NEW_TOKEN_SESSION_KEY] = {"id": token.pk, "raw": raw}
        return redirect("profile")
    new_token = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    context = {
        "form": form,
        "tokens": list(request.user.api_tokens.all()),
        "new_token": new_token,
        "time_zones": [(zone, str(label)) for zone, label in TIME_ZONES.items()],
        "time_zone_offered": request.user.time_zone in TIME_ZONES,
        "company_time_zone": time_zone_label(company_settings().time_zone),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def profile_time_zone(request: AuthedRequest) -> HttpResponse:
    try:
        user_time_zone_set(actor=request.user, time_zone=request.POST.get("time_zone", ""))
    except ValidationFailed as exc:
        for errors in exc.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("Time zone saved."))
    return redirect("profile")


@login_required
@require_POST
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()
    if token is None:
        raise Http404("No such token.")
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("profile")


@login_required
@require_POST
def otp_reset(request: AuthedRequest, user_id: int) -> HttpResponse:
    """An administrator removes a user's two-factor devices (the users page's button)."""
    if not can_reset_two_factor(request.user) or not session_is_verified(request.user):
        raise PermissionDenied(_("Only an administrator may reset two-factor sign-in."))
    user = get_object_or_404(User, pk=user_id)
    removed = otp_devices_reset(actor=request.user, user=user)
    messages.success(
        request,
        ngettext(
            "Two-factor sign-in of %(user)s reset: %(count)d device removed.",
            "Two-factor sign-in of %(user)s reset: %(count)d devices removed.",
            removed,
        )
        % {"user": user.label, "count": removed},
    )
    return redirect("collab-users")


# --- User administration (administrators): the users page lists them (collab.views.user_list).

NEW_PASSWORD_SESSION_KEY = "kehu_new_password"


def _require_admin(request: AuthedRequest) -> None:
    if not users.can_manage_users(request.user):
        raise PermissionDenied(_("Only an administrator may manage users."))


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: AuthedRequest) -> HttpResponse:
    _require_admin(request)
    form = UserAdminForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = users.user_create(actor=request.user, data=form.payload())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            request.session[NEW_PASSWORD_SESSION_KEY] = {"user": user.pk, "password": password}
            messages.success(request, _("User %(name)s created.") % {"name": user.label})
            return redirect("user-edit", user_id=user.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "accounts/user_form.html", {"form": form, "subject": None}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: AuthedRequest, user_id: int) -> HttpResponse:
    _require_admin(request)
    subject = get_object_or_404(User.objects.select_related("team", "steward_unit"), pk=user_id)
    initial = {
        "display_name": subject.display_name,
        "email": subject.email,
        "role": subject.role,
        "team": subject.team.name if subject.team else "",
        "steward_unit": subject.steward_unit.name if subject.steward_unit else "",
        "can_reveal_pii": subject.can_reveal_pii,
        "can_edit_finance": subject.can_edit_finance,
        "requires_two_factor": subject.requires_two_factor,
        "is_active": subject.is_active,
    }
    form = UserAdminForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            users.user_update(actor=request.user, user=subject, data=form.payload())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("User %(name)s saved.") % {"name": subject.label})
            return redirect("collab-users")
    shown = request.session.pop(NEW_PASSWORD_SESSION_KEY, None)
    context = {
        "form": form,
        "subject": subject,
        "new_password": shown["password"] if shown and shown["user"] == subject.pk else None,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/user_form.html", context, status=status)


@login_required
@require_POST
def user_password(request: AuthedRequest, user_id: int) -> HttpResponse:
    """A temporary password, shown once on the user's page; their sessions end."""
    _require_admin(request)
    if not session_is_verified(request.user):
        return redirect(f"{reverse('otp-verify')}?next={reverse('user-edit', args=[user_id])}")
    subject = get_object_or_404(User, pk=user_id)
    password = users.user_password_reset(actor=request.user, user=subject)
    request.session[NEW_PASSWORD_SESSION_KEY] = {"user": subject.pk, "password": password}
    messages.success(request, _("Password of %(name)s reset.") % {"name": subject.label})
    return redirect("user-edit", user_id=subject.pk)


def apply_errors(form: UserAdminForm, exc: ValidationFailed) -> None:
    for key, errors in exc.errors.items():
        for error in errors:
            form.add_error(key if key in form.fields else None, error)
