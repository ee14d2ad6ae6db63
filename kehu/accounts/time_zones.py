"""The time zones the profile page offers, each with a name people read (the IANA name is what
is stored and sent)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

TIME_ZONES: dict[str, Any] = {
    "Asia/Shanghai": _("China Standard Time (Beijing/Shanghai)"),
    "Asia/Hong_Kong": _("Hong Kong Time"),
    "Asia/Taipei": _("Taipei Time"),
    "Asia/Urumqi": _("Xinjiang Time (Urumqi)"),
    "Asia/Singapore": _("Singapore Time"),
    "Asia/Tokyo": _("Japan Time (Tokyo)"),
    "Asia/Seoul": _("Korea Time (Seoul)"),
    "Asia/Bangkok": _("Indochina Time (Bangkok)"),
    "Asia/Dubai": _("Gulf Time (Dubai)"),
    "Europe/London": _("UK Time (London)"),
    "Europe/Berlin": _("Central European Time (Berlin)"),
    "Europe/Moscow": _("Moscow Time"),
    "America/New_York": _("US Eastern Time (New York)"),
    "America/Chicago": _("US Central Time (Chicago)"),
    "America/Los_Angeles": _("US Pacific Time (Los Angeles)"),
    "Australia/Sydney": _("Australian Eastern Time (Sydney)"),
    "UTC": _("Coordinated Universal Time (UTC)"),
}


def time_zone_label(zone: str) -> str:
    """'Asia/Shanghai' -> 中国标准时间（北京/上海）; a zone not offered keeps its IANA name."""
    label = TIME_ZONES.get(zone)
    return str(label) if label is not None else zone
