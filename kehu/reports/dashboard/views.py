"""The home page (`/`): the dashboard of the viewer's role (dashboard.selectors)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from kehu.accounts.requests import AuthedRequest

from .selectors import dashboard_for


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    dashboard = dashboard_for(request.user)
    context = {"dashboard": dashboard, "tiles": dashboard["tiles"]}
    return render(request, "reports/dashboard/home.html", context)
