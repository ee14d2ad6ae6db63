"""{% whatsnew_unseen_count user as n %}: release notes the user has not opened (the badge)."""

from __future__ import annotations

from typing import Any

from django import template

from kehu.help.selectors import whatsnew_unseen

register = template.Library()


@register.simple_tag
def whatsnew_unseen_count(user: Any) -> int:
    return len(whatsnew_unseen(user))
