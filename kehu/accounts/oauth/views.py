"""Pages: the consent screen (/oauth/authorize/), the administrator's applications, and each
user's connected applications."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from oauth2_provider.models import Application
from oauth2_provider.views import AuthorizationView

from kehu.accounts.policy import can_manage_oauth_applications
from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import PermissionDenied, ValidationFailed

from .forms import ApplicationForm
from .scopes import SCOPES, scope_labels
from .selectors import oauth_application_get, oauth_application_list, oauth_connections
from .services import (
    oauth_application_register,
    oauth_application_revoke,
    oauth_consent_record,
    oauth_grant_revoke,
)

NEW_SECRET_SESSION_KEY = "kehu_new_oauth_secret"


class AuthorizeView(AuthorizationView):  # type: ignore[misc]  # the toolkit ships no types
    """The consent screen: who asks, for which scopes, as whom; allow or refuse (audited)."""

    template_name = "oauth/authorize.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["scope_labels"] = scope_labels(list(kwargs.get("scopes") or []))
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response: HttpResponse = super().form_valid(form)
            application = Application.objects.filter(
                client_id=form.cleaned_data.get("client_id") or ""
            ).first()
            location = response.get("Location", "")
            answered = "code=" in location or "error=access_denied" in location
            if application is not None and answered:
                oauth_consent_record(
                    actor=self.request.user,
                    application=application,
                    scopes=(form.cleaned_data.get("scope") or "").split(),
                    allowed=bool(form.cleaned_data.get("allow")) and "code=" in location,
                )
        return response


def _require_manager(request: AuthedRequest) -> None:
    if not can_manage_oauth_applications(request.user):
        raise PermissionDenied(_("Only administrators register and revoke applications."))


def _application(application_id: int) -> Application:
    try:
        return oauth_application_get(application_id)
    except Application.DoesNotExist:
        raise Http404("No such application.") from None


@login_required
@require_http_methods(["GET", "POST"])
def application_list(request: AuthedRequest) -> HttpResponse:
    _require_manager(request)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application, secret = oauth_application_register(actor=request.user, **form.payload())
        except ValidationFailed as exc:
            for key, errors in exc.errors.items():
                for error in errors:
                    form.add_error(key if key in form.fields else None, error)
        else:
            request.session[NEW_SECRET_SESSION_KEY] = {"id": application.pk, "secret": secret}
            messages.success(
                request, _("Application %(name)s registered.") % {"name": application.name}
            )
            return redirect("oauth-application-detail", application_id=application.pk)
    context = {"form": form, "applications": list(oauth_application_list())}
    status = 422 if request.method == "POST" else 200
    return render(request, "oauth/application_list.html", context, status=status)


@login_required
def application_detail(request: AuthedRequest, application_id: int) -> HttpResponse:
    _require_manager(request)
    application = _application(application_id)
    new_secret = request.session.get(NEW_SECRET_SESSION_KEY)
    if new_secret and new_secret.get("id") == application.pk:
        request.session.pop(NEW_SECRET_SESSION_KEY)
    else:
        new_secret = None
    context = {
        "application": application,
        "policy": application.kehu_policy,
        "scope_labels": scope_labels(application.kehu_policy.allowed_scopes),
        "connections": oauth_connections(application=application),
        "new_secret": new_secret,
        "authorize_path": "/oauth/authorize/",
    }
    return render(request, "oauth/application_detail.html", context)


@login_required
@require_POST
def application_revoke(request: AuthedRequest, application_id: int) -> HttpResponse:
    _require_manager(request)
    application = _application(application_id)
    oauth_application_revoke(actor=request.user, application=application)
    messages.success(
        request,
        _("Application %(name)s revoked: all its tokens stopped working.")
        % {"name": application.name},
    )
    return redirect("oauth-application-detail", application_id=application.pk)


@login_required
def connected_list(request: AuthedRequest) -> HttpResponse:
    connections = oauth_connections(user=request.user)
    rows = [(c, scope_labels(c.scopes)) for c in connections]
    return render(request, "oauth/connected.html", {"rows": rows, "all_scopes": SCOPES})


@login_required
@require_POST
def connected_revoke(request: AuthedRequest, application_id: int) -> HttpResponse:
    application = Application.objects.filter(pk=application_id).first()
    if application is None:
        raise Http404("No such application.")
    oauth_grant_revoke(actor=request.user, user=request.user, application=application)
    messages.success(
        request,
        _("%(name)s can no longer use your account.") % {"name": application.name},
    )
    return redirect("oauth-connected")
