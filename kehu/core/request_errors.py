"""Bad request bodies as 4xx JSON naming the field, never a 500 (issue 14.19).

A body larger than KEHU_REQUEST_MAX_BYTES (413), too many fields or files (413), a multipart body
that cannot be parsed (400, naming the operation's file and form fields), a lone UTF-16 surrogate
in a JSON string (422, naming where it is) and a date that overflows (422). kehu/api.py registers
these handlers with `register(api)`.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI


def _surrogate_paths(value: Any, path: str = "") -> list[str]:
    """Where in parsed JSON a string (or a key) holds a lone surrogate: 'name', 'items[2].note'."""
    if isinstance(value, str):
        return [path or "body"] if any("\ud800" <= ch <= "\udfff" for ch in value) else []
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found += _surrogate_paths(key, where) + _surrogate_paths(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _surrogate_paths(item, f"{path}[{index}]")
    return list(dict.fromkeys(found))


def _multipart_fields(request: HttpRequest) -> list[str]:
    """The file and form fields of the API operation the request was for ('body' if unknown)."""
    view = getattr(getattr(request, "resolver_match", None), "func", None)
    try:
        path_view = inspect.getclosurevars(view).nonlocals.get("self") if view else None
        operation = path_view._find_operation(request) if path_view is not None else None
        names = [
            name
            for model in getattr(operation, "models", [])
            if getattr(model, "__ninja_param_source__", "") in ("file", "form")
            for name in model.model_fields
        ]
        if not names:  # a body the operation reads itself, declared in its openapi_extra
            body = (getattr(operation, "openapi_extra", None) or {}).get("requestBody", {})
            form = body.get("content", {}).get("multipart/form-data", {}).get("schema", {})
            names = list(form.get("properties", {}))
    except (TypeError, AttributeError):
        names = []
    return names or ["body"]


def _size(value: int) -> str:
    return f"{value / (1024 * 1024):,.1f} MB"


def register(api: NinjaAPI) -> None:
    """Add the handlers to a NinjaAPI."""

    def respond(
        request: HttpRequest, status: int, code: str, errors: dict[str, list[str]]
    ) -> HttpResponse:
        detail = " ".join(dict.fromkeys(m for messages in errors.values() for m in messages))
        return api.create_response(
            request, {"detail": detail, "code": code, "errors": errors}, status=status
        )

    @api.exception_handler(RequestDataTooBig)
    def on_body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        message = _(
            "The request body is larger than %(limit)s (KEHU_REQUEST_MAX_BYTES); send files as "
            "multipart uploads."
        ) % {"limit": _size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
        return respond(request, 413, "too_large", {"body": [message]})

    @api.exception_handler(TooManyFieldsSent)
    def on_too_many_fields(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
        message = _("More than %(limit)s fields (KEHU_REQUEST_MAX_FIELDS).") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
        return respond(request, 413, "too_large", {"body": [message]})

    @api.exception_handler(TooManyFilesSent)
    def on_too_many_files(request: HttpRequest, exc: TooManyFilesSent) -> HttpResponse:
        message = _("More than %(limit)s files (KEHU_REQUEST_MAX_FILES).") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }
        return respond(request, 413, "too_large", {"body": [message]})

    @api.exception_handler(MultiPartParserError)
    def on_bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        message = _("The multipart body cannot be read; send it again.")
        fields = _multipart_fields(request)
        return respond(request, 400, "bad_multipart", {name: [message] for name in fields})

    @api.exception_handler(UnicodeError)
    def on_unicode(request: HttpRequest, exc: UnicodeError) -> HttpResponse:
        message = _("Contains a lone UTF-16 surrogate (such as \\ud800), which is not a character.")
        try:
            paths = _surrogate_paths(json.loads(request.body))
        except (ValueError, UnicodeError, RequestDataTooBig):
            paths = []
        return respond(request, 422, "validation_failed", {p: [message] for p in paths or ["body"]})

    @api.exception_handler(OverflowError)
    def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        message = _("Enter a date between %(first)s and %(last)s.") % {"first": 1900, "last": 2100}
        return respond(request, 422, "validation_failed", {"body": [message]})
