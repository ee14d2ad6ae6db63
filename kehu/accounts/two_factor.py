"""Two-factor sign-in (TOTP, django-otp): password first, then a 6-digit code.

Managers, administrators and data stewards must pass it (REQUIRED_ROLES, unless
settings.KEHU_REQUIRE_2FA is false). Until they do, pages redirect to the code page (or to
the setup page when they have no device yet) and session API calls answer 403; Bearer tokens
are a separate credential and are not affected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.audit.services import audit_record

from .models import Role

REQUIRED_ROLES = {Role.MANAGER, Role.ADMIN, Role.STEWARD}
OPEN_PREFIXES = ("/otp/", "/logout/", "/login/", "/static/", "/i18n/")


def requires_2fa(user: Any) -> bool:
    return bool(
        settings.KEHU_REQUIRE_2FA
        and getattr(user, "is_authenticated", False)
        and user.role in REQUIRED_ROLES
    )


class RequireTwoFactorMiddleware:
    """After OTPMiddleware: users who need a second factor and lack it get no further."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            requires_2fa(user)
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                if request.headers.get("Authorization", "").startswith("Bearer "):
                    return self.get_response(request)
                return JsonResponse(
                    {"detail": "Two-factor verification required.", "code": "otp_required"},
                    status=403,
                )
            target = "otp-verify" if user_has_device(user) else "otp-setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class LoginView(auth_views.LoginView):
    """Django's login page; a successful password login is audited ("user.logged_in")."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(actor=form.get_user(), action="user.logged_in", target=form.get_user())
        return response


def _next(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return reverse("customer-list")


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of the sign-in: a code from the user's authenticator app."""
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip()
        for device in TOTPDevice.objects.devices_for_user(request.user, confirmed=True):
            if device.verify_token(token):
                otp_login(request, device)
                audit_record(actor=request.user, action="user.otp_verified", target=request.user)
                return redirect(_next(request))
        audit_record(actor=request.user, action="user.otp_failed", target=request.user)
        error = _("That code is not right. Try the current one.")
    return render(request, "accounts/otp_verify.html", {"error": error, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator: shows the secret and the otpauth URI, confirms with one code."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Kehu", confirmed=False)
    error = ""
    if request.method == "POST":
        if device.verify_token(request.POST.get("token", "").strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record(actor=request.user, action="user.otp_added", target=request.user)
            return redirect(_next(request))
        error = _("That code is not right. Try the current one.")
    from base64 import b32encode

    context = {
        "secret": b32encode(device.bin_key).decode(),
        "uri": device.config_url,
        "error": error,
        "next": _next(request),
    }
    return render(request, "accounts/otp_setup.html", context)
