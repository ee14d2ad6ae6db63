"""The search page: a box with an htmx typeahead; the results partial is shared by both."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from kehu.accounts.requests import AuthedRequest

from .services import search_logged


@login_required
def search_page(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    results = search_logged(actor=request.user, query=q, limit=10) if q.strip() else None
    template = (
        "search/partials/_results.html"
        if request.headers.get("HX-Request")
        else "search/search.html"
    )
    return render(request, template, {"q": q, "results": results})
