"""Pages show times in the signed-in user's time zone (User.time_zone; empty: the company's,
kehu.core.company, which is settings.TIME_ZONE until an administrator sets another)."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from kehu.core.company import company_settings


class UserTimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = getattr(getattr(request, "user", None), "time_zone", "")
        zone = zone or company_settings().time_zone
        try:
            if zone:
                timezone.activate(ZoneInfo(zone))
            else:
                timezone.deactivate()
        except ZoneInfoNotFoundError:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
