"""The profile page (who you are, your API tokens: the raw token is shown once), and an
administrator's reset of a user's two-factor devices from the users page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kehu.core.errors import PermissionDenied

from .auth import session_is_verified
from .forms import ApiTokenForm
from .models import ApiToken, User
from .requests import AuthedRequest
from .services import api_token_create, api_token_revoke, can_reset_two_factor, otp_devices_reset

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
    }
    return render(request, "accounts/profile.html", context)


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
