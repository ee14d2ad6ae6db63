"""Per-request context (client IP, channel) that audit entries record."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

_request_ip: ContextVar[str | None] = ContextVar("kehu_request_ip", default=None)
_request_source: ContextVar[str] = ContextVar("kehu_request_source", default="system")


def current_ip() -> str | None:
    return _request_ip.get()


def current_source() -> str:
    return _request_source.get()


def set_source(source: str) -> None:
    _request_source.set(source)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ip = request.META.get("REMOTE_ADDR")
        source = "api" if request.path.startswith("/api/") else "web"
        ip_token = _request_ip.set(ip)
        source_token = _request_source.set(source)
        try:
            return self.get_response(request)
        finally:
            _request_ip.reset(ip_token)
            _request_source.reset(source_token)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """zh-hans unless the person chose another language (the language cookie set by /i18n/).

    Django's LocaleMiddleware follows the browser's Accept-Language; Kehu is Chinese-first, so
    the browser's preference is ignored and only an explicit choice switches the language.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else ""
        except LookupError:
            language = ""
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
