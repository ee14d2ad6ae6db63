"""Segment pages: the list with live counts, the editor (with a live count), and a segment's
own page, which is the customer list with ?segment=<id> (export and bulk actions work there)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import ValidationFailed

from . import services
from .display import segment_filter_labels, segment_query_readable
from .forms import SegmentForm
from .models import Segment
from .selectors import (
    segment_count_for,
    segment_count_or_none,
    segment_get_for,
    segment_may_change,
    segments_for,
)
from .validators import segment_query_clean


@login_required
def segment_list(request: AuthedRequest) -> HttpResponse:
    # The counts come one by one after the page (segment_count_cell, htmx): each is exact, and
    # a few over a large book would hold the whole page back.
    rows = [
        {
            "segment": segment,
            "filters": segment_filter_labels(segment.query),
            "may_change": segment_may_change(request.user, segment),
        }
        for segment in segments_for(request.user)
    ]
    return render(request, "segments/list.html", {"rows": rows})


@login_required
def segment_count_cell(request: AuthedRequest, segment_id: int) -> HttpResponse:
    """One segment's count as the caller sees its customers (the list page's cell, htmx)."""
    segment = segment_get_for(request.user, segment_id)
    count = segment_count_or_none(request.user, segment)
    return render(request, "segments/_count.html", {"segment": segment, "count": count})


@login_required
def segment_detail(request: AuthedRequest, segment_id: int) -> HttpResponse:
    """A segment opens as the customer list with its filter."""
    segment = segment_get_for(request.user, segment_id)
    return redirect(f"{reverse('customer-list')}?{urlencode({'segment': segment.pk})}")


def _editor(request: AuthedRequest, form: SegmentForm, segment: Segment | None) -> HttpResponse:
    query = str(form["query"].value() or "")
    return render(
        request,
        "segments/form.html",
        {"form": form, "segment": segment, "preview": _preview(request, query)},
    )


def _data(form: SegmentForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["followup_due_days"] = data.get("followup_due_days") or 0
    return data


@login_required
@require_http_methods(["GET", "POST"])
def segment_new(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        form = SegmentForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                segment = services.segment_create(actor=request.user, data=_data(form))
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Segment saved."))
                return redirect("segment-detail", segment_id=segment.pk)
    else:
        query = segment_query_readable(request.GET.get("query", ""))
        initial = {"query": query, "visibility": "private"}
        form = SegmentForm(initial=initial, user=request.user)
    return _editor(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def segment_edit(request: AuthedRequest, segment_id: int) -> HttpResponse:
    segment = segment_get_for(request.user, segment_id, for_change=True)
    if request.method == "POST":
        form = SegmentForm(request.POST, user=segment.owner)
        if form.is_valid():
            try:
                services.segment_update(actor=request.user, segment=segment, data=_data(form))
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Segment saved."))
                return redirect("segment-list")
    else:
        initial = {
            name: getattr(segment, name)
            for name in SegmentForm.base_fields
            if hasattr(segment, name)
        }
        initial["query"] = segment_query_readable(segment.query)
        form = SegmentForm(initial=initial, user=segment.owner)
    return _editor(request, form, segment)


@login_required
@require_POST
def segment_delete(request: AuthedRequest, segment_id: int) -> HttpResponse:
    segment = segment_get_for(request.user, segment_id, for_change=True)
    services.segment_delete(actor=request.user, segment=segment)
    messages.success(request, _("Segment deleted."))
    return redirect("segment-list")


def _preview(request: AuthedRequest, query: str) -> dict[str, Any]:
    if not query.strip():
        return {}
    try:
        canonical = segment_query_clean(query, actor=request.user)
    except ValidationFailed as exc:
        return {"errors": [f"{k}: {' '.join(v)}" for k, v in exc.errors.items()]}
    return {
        "count": segment_count_for(request.user, canonical),
        "filters": segment_filter_labels(canonical),
        "list_url": f"{reverse('customer-list')}?{canonical}",
    }


@login_required
def segment_preview(request: AuthedRequest) -> HttpResponse:
    """The editor's live count (htmx): how many customers the filters match for the caller."""
    preview = _preview(request, request.GET.get("query", ""))
    return render(request, "segments/_preview.html", {"preview": preview})
