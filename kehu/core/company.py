"""The company's settings, read often and changed rarely: its name (the page header), time zone
(for users without their own), working days, holidays and extra working days (the business-day
rules of kehu.interactions.freshness) and the pool's daily claim limit per person.

company_settings() answers from a per-process copy that lives COMPANY_SETTINGS_TTL seconds,
filled from the shared cache (Redis or the database's cache table), filled from the row.
Saving (company_settings_write, called by kehu.accounts.company's audited service) forgets both
at once and again when the transaction commits, so the process that saved sees the change at
once and other processes within COMPANY_SETTINGS_TTL seconds. Without a row, every value comes
from the environment's settings, read live (tests override them).

Django only: the audited service that changes the row lives in kehu.accounts.company.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import transaction
from django.utils.translation import gettext as _

from .models import CompanySettings
from .validators import parse_date

CACHE_KEY = "kehu:company_settings"
COMPANY_SETTINGS_TTL = 10.0  # seconds another process may still answer with the old values
ABSENT = "absent"
FIELDS = (
    "name",
    "time_zone",
    "working_days",
    "holidays",
    "extra_workdays",
    "pool_claim_limit",
    "two_factor_roles",
)
ALL_ROLES = "all"  # in two_factor_roles: every role, those added later too
POOL_CLAIM_LIMIT_MAX = 1000
_SPLIT = re.compile(r"[\s,，;；、]+")


@dataclass(frozen=True)
class CompanyValues:
    """The settings in force: the row's, or the environment's where no row exists."""

    name: str
    time_zone: str
    working_days: tuple[int, ...]
    holidays: frozenset[str]
    extra_workdays: frozenset[str]
    pool_claim_limit: int
    # Role codes that sign in with a second factor, or ("all",) (kehu.accounts.auth).
    two_factor_roles: tuple[str, ...]
    is_saved: bool  # whether a row exists (False: all of it comes from the environment)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["working_days"] = list(self.working_days)
        data["holidays"] = sorted(self.holidays)
        data["extra_workdays"] = sorted(self.extra_workdays)
        data["two_factor_roles"] = list(self.two_factor_roles)
        return data

    def two_factor_for(self, role: str) -> bool:
        """Whether users of this role sign in with a second factor (KEHU_REQUIRE_2FA aside)."""
        return ALL_ROLES in self.two_factor_roles or role in self.two_factor_roles

    def is_business_day(self, day: date) -> bool:
        iso = day.isoformat()
        if iso in self.extra_workdays:
            return True
        return day.weekday() in self.working_days and iso not in self.holidays


def _defaults() -> CompanyValues:
    return CompanyValues(
        name="",
        time_zone=settings.TIME_ZONE,
        working_days=(0, 1, 2, 3, 4),
        holidays=frozenset(settings.KEHU_HOLIDAYS),
        extra_workdays=frozenset(settings.KEHU_EXTRA_WORKDAYS),
        pool_claim_limit=CompanySettings.DEFAULT_POOL_CLAIM_LIMIT,
        two_factor_roles=tuple(settings.KEHU_2FA_ROLES),
        is_saved=False,
    )


def _from_row(row: dict[str, Any]) -> CompanyValues:
    return CompanyValues(
        name=row["name"],
        time_zone=row["time_zone"] or settings.TIME_ZONE,
        working_days=tuple(sorted(int(d) for d in row["working_days"])),
        holidays=frozenset(row["holidays"]),
        extra_workdays=frozenset(row["extra_workdays"]),
        pool_claim_limit=int(row["pool_claim_limit"]),
        two_factor_roles=tuple(
            settings.KEHU_2FA_ROLES if row["two_factor_roles"] is None else row["two_factor_roles"]
        ),
        is_saved=True,
    )


# The per-process copy: (read at, the row's values or ABSENT).
_memo: tuple[float, dict[str, Any] | str] | None = None


def _row() -> dict[str, Any] | str:
    global _memo
    now = time.monotonic()
    if _memo is not None and now - _memo[0] < COMPANY_SETTINGS_TTL:
        return _memo[1]
    stored: dict[str, Any] | str | None = cache.get(CACHE_KEY)
    if stored is None:
        found = CompanySettings.objects.filter(pk=CompanySettings.SINGLETON_ID).values(*FIELDS)
        stored = dict(found[0]) if found else ABSENT
        cache.set(CACHE_KEY, stored, 300)  # finite: a stale copy written in a race expires
    _memo = (now, stored)
    return stored


def company_settings() -> CompanyValues:
    """The company's settings in force (cached; see the module's note)."""
    row = _row()
    return _defaults() if row == ABSENT else _from_row(row)  # type: ignore[arg-type]


def company_settings_forget() -> None:
    """Drop the cached copies (this process's and the shared one)."""
    global _memo
    _memo = None
    cache.delete(CACHE_KEY)


def company_settings_forget_local() -> None:
    """Drop this process's copy only (no database access: the test suite calls it between
    tests, whose rolled-back rows the copy may still hold)."""
    global _memo
    _memo = None


def _forget_on_setting_change(setting: str, **kwargs: Any) -> None:
    if setting in ("TIME_ZONE", "KEHU_HOLIDAYS", "KEHU_EXTRA_WORKDAYS", "KEHU_2FA_ROLES", "CACHES"):
        company_settings_forget_local()


setting_changed.connect(_forget_on_setting_change)


# --- Reading what people type


def parse_date_list(raw: Any) -> list[str]:
    """ISO dates from one per line or comma-separated text (or a list); every bad one named."""
    items = raw if isinstance(raw, list | tuple) else _SPLIT.split(str(raw or ""))
    days: set[str] = set()
    bad: list[str] = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        try:
            days.add(parse_date(text).isoformat())
        except ValidationError:
            bad.append(text)
    if bad:
        raise ValidationError(
            _("Not a date: %(values)s. Write one date per line, such as 2026-10-01.")
            % {"values": "、".join(bad)},
            code="invalid_date",
        )
    return sorted(days)


WEEKDAY_NAMES = {
    **{str(i): i for i in range(7)},
    **dict(zip(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), range(7), strict=True)),
    **dict(zip(("一", "二", "三", "四", "五", "六", "日"), range(7), strict=True)),
    "天": 6,
}


def parse_working_days(raw: Any) -> list[int]:
    """Weekday numbers 0 (Monday) to 6 (Sunday), or their names (mon, 一, 周一, 星期一)."""
    items = raw if isinstance(raw, list | tuple) else _SPLIT.split(str(raw or ""))
    days: set[int] = set()
    bad: list[str] = []
    for item in items:
        text = str(item).strip().lower().removeprefix("星期").removeprefix("周")[:3]
        if not text:
            continue
        day = WEEKDAY_NAMES.get(text)
        if day is None:
            bad.append(str(item))
        else:
            days.add(day)
    if bad:
        raise ValidationError(
            _("Not a weekday: %(values)s. Use 0 (Monday) to 6 (Sunday).")
            % {"values": "、".join(bad)},
            code="invalid_weekday",
        )
    if not days:
        raise ValidationError(_("Choose at least one working day."), code="required")
    return sorted(days)


def parse_time_zone(raw: Any) -> str:
    text = str(raw or "").strip()
    if text not in available_timezones():
        try:
            ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(
                _("Unknown time zone %(zone)s; use a name such as Asia/Shanghai.")
                % {"zone": text or '""'},
                code="invalid_time_zone",
            ) from None
    return text


def parse_pool_claim_limit(raw: Any) -> int:
    text = str(raw).strip() if raw is not None else ""
    if isinstance(raw, bool) or not re.fullmatch(r"\d{1,7}", text):
        raise ValidationError(
            _("Enter a whole number from 0 to %(max)s.") % {"max": POOL_CLAIM_LIMIT_MAX},
            code="invalid_number",
        )
    value = int(text)
    if value > POOL_CLAIM_LIMIT_MAX:
        raise ValidationError(
            _("Enter a whole number from 0 to %(max)s.") % {"max": POOL_CLAIM_LIMIT_MAX},
            code="invalid_number",
        )
    return value


def parse_name(raw: Any) -> str:
    text = " ".join(str(raw or "").split())
    if len(text) > 200:
        raise ValidationError(_("At most 200 characters."), code="max_length")
    return text


PARSERS = {
    "name": parse_name,
    "time_zone": parse_time_zone,
    "working_days": parse_working_days,
    "holidays": parse_date_list,
    "extra_workdays": parse_date_list,
    "pool_claim_limit": parse_pool_claim_limit,
}


def company_settings_clean(
    data: dict[str, Any], *, parsers: dict[str, Callable[[Any], Any]] | None = None
) -> dict[str, Any]:
    """The given fields parsed; {field: [message]} for every bad one (ValidationError's
    error_dict), all at once. Unknown fields are errors too. `parsers` adds the fields whose
    rules a higher app knows (two_factor_roles: kehu.accounts.company, which knows the roles)."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    known = {**PARSERS, **(parsers or {})}
    for key, raw in data.items():
        parser = known.get(key)
        if parser is None:
            errors[key] = [_("Unknown field.")]
            continue
        try:
            values[key] = parser(raw)
        except ValidationError as exc:
            errors[key] = list(exc.messages)
    if errors:
        raise ValidationError({k: [ValidationError(m) for m in v] for k, v in errors.items()})
    return values


# --- Writing (only through kehu.accounts.company.company_settings_update, which audits)


def company_settings_write(*, values: dict[str, Any], user_id: int | None) -> dict[str, Any]:
    """Store these (clean) values; returns {field: [before, after]} for what changed. Locks the
    row; creates it from the environment's values when it does not exist yet."""
    instance = (
        CompanySettings.objects.select_for_update().filter(pk=CompanySettings.SINGLETON_ID).first()
    )
    if instance is None:
        current = _as_row(_defaults())
        instance = CompanySettings(pk=CompanySettings.SINGLETON_ID, **current)
    else:
        current = {key: getattr(instance, key) for key in FIELDS}
    changes = {key: [current[key], value] for key, value in values.items() if current[key] != value}
    for key, value in values.items():
        setattr(instance, key, value)
    instance.updated_by_id = user_id
    instance.save()
    company_settings_forget()
    transaction.on_commit(company_settings_forget)
    return changes


def _as_row(values: CompanyValues) -> dict[str, Any]:
    """The values as the row stores them (lists, not sets)."""
    return {
        "name": values.name,
        "time_zone": values.time_zone,
        "working_days": list(values.working_days),
        "holidays": sorted(values.holidays),
        "extra_workdays": sorted(values.extra_workdays),
        "pool_claim_limit": values.pool_claim_limit,
        "two_factor_roles": None,  # the server's KEHU_2FA_ROLES until an administrator sets it
    }
