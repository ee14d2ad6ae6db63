"""Template context every page gets: the company's name for the header and title."""

from __future__ import annotations

from django.http import HttpRequest

from .company import company_settings


def company(request: HttpRequest) -> dict[str, str]:
    return {"company_name": company_settings().name}
