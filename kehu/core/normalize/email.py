"""E-mail addresses: one case, and the organisation's domain (free-mail providers have none)."""

from __future__ import annotations

from .text import fold

FREE_MAIL = frozenset(
    "qq.com 163.com 126.com sina.com sina.cn sohu.com gmail.com hotmail.com outlook.com yahoo.com "
    "foxmail.com aliyun.com 139.com 189.cn yeah.net icloud.com live.com msn.com".split()
)


def email_key(email: str) -> str:
    """'Wang.JG@Example.COM ' -> 'wang.jg@example.com' (full-width forms folded too)."""
    return fold(email or "").strip()


def email_domain(email: str) -> str:
    """The organisation's domain, or '' for free-mail providers."""
    _local, at, domain = email_key(email).rpartition("@")
    return "" if not at or domain in FREE_MAIL else domain


# Mailboxes of a function, not of a person: shared by the branches and siblings of a group.
ROLE_MAILBOXES = frozenset(
    "info sales admin purchase purchasing service services contact contacts office hr support "
    "marketing market mail enquiry enquiries hello biz bd business finance kefu postmaster "
    "webmaster noreply no-reply".split()
)


def is_role_mailbox(email: str) -> bool:
    """'info@huaxin.com' and 'Sales@…' name a function that a group's companies share."""
    return email_key(email).partition("@")[0] in ROLE_MAILBOXES
