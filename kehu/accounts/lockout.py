"""Sign-in lock-out (django-axes): per user and address, and per user across all addresses.

Axes records failures per (username, address) and, with AXES_LOCKOUT_PARAMETERS
[["username", "ip_address"], ["username"]], counts the larger of the two sums, which for one
username is always the per-user sum. One limit for both would lock a user at the low
per-address limit whoever guesses; so the limit itself depends on the request:

- KEHU_LOGIN_FAILURE_LIMIT failures from one address lock the user at that address;
- KEHU_LOGIN_USER_FAILURE_LIMIT (higher) failures from any addresses lock the user everywhere,
  so guesses spread over many addresses are locked too.

Both count failures within the cool-off window (KEHU_LOGIN_LOCKOUT_MINUTES).
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def login_failure_limit(request: HttpRequest, credentials: dict[str, Any] | None) -> int:
    """AXES_FAILURE_LIMIT: the per-address limit once this address reached it, else the per-user
    limit (axes compares it with the user's failures from every address)."""
    per_address = settings.KEHU_LOGIN_FAILURE_LIMIT
    username = get_client_username(request, credentials)
    failures = (
        AccessAttempt.objects.filter(
            username=username,
            ip_address=getattr(request, "axes_ip_address", None),
            attempt_time__gte=get_cool_off_threshold(request),
        ).aggregate(total=Sum("failures_since_start"))["total"]
        or 0
    )
    if failures >= per_address:
        return per_address
    return max(settings.KEHU_LOGIN_USER_FAILURE_LIMIT, per_address)
