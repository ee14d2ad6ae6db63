"""Two-factor sign-in (TOTP, django-otp): password first, then a 6-digit code.

The roles the company settings name must pass it (auth.requires_2fa: by default managers,
administrators and data stewards, KEHU_2FA_ROLES; "all" for every role), unless
settings.KEHU_REQUIRE_2FA is false. Until they do, pages redirect to the code page (or to
the setup page when they have no device yet) and session API calls answer 403 otp_required.
On /api/ a Bearer header is the whole credential: an unknown token is 401 invalid_token and
the session is not consulted (kehu.accounts.auth).

A user who has an authenticator adds another only from a session verified with it; an
administrator resets a user's devices (services.otp_devices_reset) when one is lost.
"""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

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
from django_otp.util import random_hex

from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import DomainError

from .auth import authenticate_bearer, bearer_token, requires_2fa
from .errors import InvalidToken, OtpRequired
from .requests import AuthedRequest
from .services import otp_device_confirm, otp_pending_device

API_PREFIX = "/api/"
OPEN_PREFIXES = ("/otp/", "/logout/", "/login/", "/static/", "/i18n/")
SETUP_KEY_SESSION_KEY = "kehu_otp_setup_key"


def _json_error(error: DomainError) -> JsonResponse:
    response = JsonResponse({"detail": error.message, "code": error.code}, status=error.status_code)
    if isinstance(error, InvalidToken):
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


class RequireTwoFactorMiddleware:
    """After OTPMiddleware: API calls with a Bearer header are the token's alone; users who need
    a second factor and lack it get no further."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith(API_PREFIX):
            raw = bearer_token(request)
            if raw is not None:
                try:
                    authenticate_bearer(request, raw)  # replaces the session's user
                except InvalidToken as error:
                    return _json_error(error)
                return self.get_response(request)
        user = getattr(request, "user", None)
        if requires_2fa(user) and not user.is_verified() and not path.startswith(OPEN_PREFIXES):
            if path.startswith(API_PREFIX):
                return _json_error(OtpRequired())
            target = "otp-verify" if user_has_device(user) else "otp-setup"
            query = urlencode({"next": request.get_full_path()}, safe="/")
            return redirect(f"{reverse(target)}?{query}")
        return self.get_response(request)


class LoginView(auth_views.LoginView):
    """Django's login page; a successful password login is audited ("user.logged_in")."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(
            actor=form.get_user(), action=AuditAction.USER_LOGGED_IN, target=form.get_user()
        )
        return response


def _next(request: AuthedRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return reverse("customer-list")


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: AuthedRequest) -> HttpResponse:
    """The second step of the sign-in: a code from one of the user's confirmed authenticators."""
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip()
        for device in TOTPDevice.objects.devices_for_user(request.user, confirmed=True):
            if device.verify_token(token):
                otp_login(request, device)
                audit_record(
                    actor=request.user, action=AuditAction.USER_OTP_VERIFIED, target=request.user
                )
                return redirect(_next(request))
        audit_record(actor=request.user, action=AuditAction.USER_OTP_FAILED, target=request.user)
        error = _("That code is not right. Try the current one.")
    return render(request, "accounts/otp_verify.html", {"error": error, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: AuthedRequest) -> HttpResponse:
    """Add an authenticator: shows a new secret and its otpauth URI, confirmed with one code.

    The secret lives in this session only until a code confirms it, so no other session sees
    it and no unconfirmed device is left behind. A user who has a device must verify with it
    first (a password alone must not add a second one).
    """
    user = request.user
    verify_first = redirect(
        f"{reverse('otp-verify')}?{urlencode({'next': request.get_full_path()}, safe='/')}"
    )
    if user_has_device(user) and not user.is_verified():
        return verify_first
    key = request.session.get(SETUP_KEY_SESSION_KEY) or random_hex(20)
    request.session[SETUP_KEY_SESSION_KEY] = key
    error = ""
    if request.method == "POST":
        try:
            device = otp_device_confirm(
                actor=user,
                user=user,
                key=key,
                token=request.POST.get("token", ""),
                session_verified=user.is_verified(),
            )
        except OtpRequired:  # another session confirmed a device meanwhile
            return verify_first
        if device is not None:
            del request.session[SETUP_KEY_SESSION_KEY]
            otp_login(request, device)
            return redirect(_next(request))
        error = _("That code is not right. Try the current one.")
    pending = otp_pending_device(user=user, key=key)
    context = {
        "secret": b32encode(pending.bin_key).decode(),
        "uri": pending.config_url,
        "error": error,
        "next": _next(request),
        "adding_another": user_has_device(user),
    }
    return render(request, "accounts/otp_setup.html", context)
