"""Per-request context (client IP, channel) that audit entries record, and the one rule for
which address a request comes from (`client_ip`)."""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .text import without_controls

_request_ip: ContextVar[str | None] = ContextVar("kehu_request_ip", default=None)
_request_id: ContextVar[str] = ContextVar("kehu_request_id", default="")
# An id a proxy sent (X-Request-ID) is kept when it is short and plain; otherwise a new one.
_REQUEST_ID_OK = re.compile(r"[A-Za-z0-9._-]{8,64}")
_request_source: ContextVar[str] = ContextVar("kehu_request_source", default="system")


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(raw: str) -> IPAddress | None:
    """An address as a proxy writes it ('203.0.113.5', '203.0.113.5:4711', '[2001:db8::1]:80',
    '2001:db8::1'); None when it is none ('unknown', garbage)."""
    text = raw.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:10.0.0.1 is 10.0.0.1
    return mapped or address


def _is_trusted(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    return any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client behind this request: the connecting address, unless it is one
    of KEHU_TRUSTED_PROXIES; then X-Forwarded-For is read from the right, past every trusted
    proxy, and the first address that is not one is the client's. A value a client wrote
    itself (left of it) is never believed, and neither is the header from anyone else."""
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(settings.KEHU_TRUSTED_PROXIES))
    nearest = _address(remote) if remote else None
    if nearest is None or not _is_trusted(nearest, networks):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # unreadable: nothing further left can be believed
            break
        nearest = address
        if not _is_trusted(address, networks):
            break
    return str(nearest)


def current_ip() -> str | None:
    return _request_ip.get()


def current_request_id() -> str:
    """The id of the request being served ("" outside one): in every log line and the
    X-Request-ID response header, so a user's report can be found in the logs."""
    return _request_id.get()


def current_source() -> str:
    return _request_source.get()


def set_source(source: str) -> None:
    _request_source.set(source)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ip = client_ip(request)
        source = "api" if request.path.startswith("/api/") else "web"
        sent = request.headers.get("X-Request-ID", "")
        request_id = sent if _REQUEST_ID_OK.fullmatch(sent) else uuid.uuid4().hex
        ip_token = _request_ip.set(ip)
        source_token = _request_source.set(source)
        id_token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            return response
        finally:
            _request_ip.reset(ip_token)
            _request_source.reset(source_token)
            _request_id.reset(id_token)


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


def _control_free(data: QueryDict) -> QueryDict:
    """data itself when every key and value is printable, else a copy without control
    characters (kehu.core.text.without_controls)."""
    if all(k.isprintable() and all(v.isprintable() for v in vs) for k, vs in data.lists()):
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(without_controls(key), [without_controls(v) for v in values])
    cleaned._mutable = False
    return cleaned


class ControlFreeRequestMiddleware:
    """Pages read query strings and urlencoded forms without control characters (a NUL in
    `?q=` once answered 500 on PostgreSQL, which refuses NUL in text). The API has its own net
    (kehu.core.api_utils.ControlFreeParser); multipart bodies are left to their views, which
    parse them within their own limits."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.GET = _control_free(request.GET)  # type: ignore[assignment]
            if request.method == "POST" and request.content_type == (
                "application/x-www-form-urlencoded"
            ):
                try:
                    request.POST = _control_free(request.POST)  # type: ignore[assignment]
                except RequestDataTooBig:
                    pass  # the view's own read of POST raises it again, as before
        return self.get_response(request)
