"""The analyses' pages: /reports/ (the index) and /reports/<analysis>/ (filters, figures,
charts with their tables, CSV / XLSX export with ?format=)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import ChangeHeld, ValidationFailed

from .choices import filter_choices
from .export import analysis_export
from .filters import parse_filters
from .registry import ANALYSES, analysis_run


@login_required
def analyses_index(request: AuthedRequest) -> HttpResponse:
    return render(request, "reports/analyses/index.html", {"analyses": ANALYSES.values()})


def _text(status: int, message: str) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@login_required
def analysis_page(request: AuthedRequest, name: str) -> HttpResponse:
    analysis = ANALYSES.get(name)
    if analysis is None:
        raise Http404(name)
    file_format = request.GET.get("format", "")
    error: dict[str, list[str]] = {}
    try:
        filters = parse_filters(request.GET)
    except ValidationFailed as exc:
        if file_format:
            return _text(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items()))
        error = exc.errors
        filters = parse_filters({})
    result = analysis_run(request.user, name, filters)
    if file_format:
        try:
            return analysis_export(actor=request.user, result=result, file_format=file_format)
        except ChangeHeld as held:
            return _text(202, held.message)
        except ValidationFailed as exc:
            return _text(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items()))
    data: dict[str, Any] = result.as_dict()
    context = {
        "analysis": analysis,
        "analyses": ANALYSES.values(),
        "result": data,
        "filters": filters,
        "choices": filter_choices(request.user),
        "errors": error,
        "island": json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026"),
        # Read from the worker's daily facts: their refresh time; read live: now.
        "computed_at": timezone.localtime(result.fresh_at or timezone.now()),
        "query": filters.as_query(),
    }
    return render(request, "reports/analyses/analysis.html", context, status=422 if error else 200)
