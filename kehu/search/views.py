"""The search page: a box with an htmx typeahead; the results partial is shared by both."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from kehu.accounts.requests import AuthedRequest
from kehu.core.search_index import search_catching_up
from kehu.tags.models import Tag

from .services import search_logged


@login_required
def search_page(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    results = search_logged(actor=request.user, query=q, limit=10) if q.strip() else None
    if request.headers.get("HX-Request"):
        return render(request, "search/partials/_results.html", {"q": q, "results": results})
    # The tag picker: the search words and library tags open the customer list filtered by both.
    library = Tag.objects.filter(is_active=True).order_by("type__position", "name")
    context = {
        "q": q,
        "results": results,
        "tag_library": library.values_list("name", flat=True),
        "catching_up": search_catching_up(),  # after a bulk import (kehu.intake)
    }
    return render(request, "search/search.html", context)
