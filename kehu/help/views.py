"""The help pages: the panel each page opens from its "?" button, the help index, a page's help
on its own, the release notes and the data standard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from kehu.accounts.requests import AuthedRequest

from .content import help_index, newer_than, page_help, whatsnew
from .selectors import whatsnew_seen_version
from .services import whatsnew_mark_seen
from .standard import standard_fields, standard_tags, standard_values


def _page_url(name: str) -> str:
    """The address of a page by URL name, when it needs no arguments ("" otherwise)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def help_panel(request: AuthedRequest) -> HttpResponse:
    """The side panel (bottom sheet on phones) for the page named in ?page=<URL name>."""
    name = request.GET.get("page", "")
    context = {"help": page_help(name), "page": name}
    return render(request, "help/panel.html", context)


@login_required
@require_GET
def help_home(request: AuthedRequest) -> HttpResponse:
    pages = [(h, _page_url(h.name)) for h in help_index()]
    return render(request, "help/index.html", {"pages": pages})


@login_required
@require_GET
def help_page(request: AuthedRequest, name: str) -> HttpResponse:
    found = page_help(name)
    if found is None:
        raise Http404
    return render(request, "help/page.html", {"help": found, "page_url": _page_url(name)})


@login_required
@require_GET
def help_whatsnew(request: AuthedRequest) -> HttpResponse:
    """The release notes, newest first; opening them clears the menu's badge."""
    before = whatsnew_seen_version(request.user)
    notes = whatsnew()
    if notes:
        whatsnew_mark_seen(actor=request.user, version=notes[0].version)
    new = {n.version for n in newer_than(before, notes)}
    return render(request, "help/whatsnew.html", {"notes": notes, "new": new})


@login_required
@require_GET
def help_standard(request: AuthedRequest) -> HttpResponse:
    context = {
        "tables": standard_fields(),
        "value_lists": standard_values(),
        "tags": standard_tags(),
    }
    return render(request, "help/standard.html", context)
