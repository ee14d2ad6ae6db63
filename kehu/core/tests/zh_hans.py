"""Helpers of the zh-hans completeness tests: a sandbox-like world, the text a person reads on a
page, and the English words in it that are not names, codes or brands."""

from __future__ import annotations

import json
import re
from html import unescape
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.customers.models import Customer, CustomField
from kehu.dedupe.models import DuplicatePair
from kehu.review.models import ReviewItem

# Words a Chinese page may show as they are: brands, formats, units, standards.
ALLOWED = {
    "kehu",
    "htmx",
    "api",
    "csv",
    "xlsx",
    "xls",
    "vcf",
    "vcard",
    "excel",
    "wechat",
    "json",
    "openapi",
    "oauth",  # the standard connected applications sign in with (kehu.accounts.oauth)
    "swagger",
    "ui",
    "ip",
    "id",
    "url",
    "utf",
    "gbk",
    "gb",
    "bom",
    "totp",
    "otpauth",
    "http",
    "https",
    "bearer",
    "token",
    "salesforce",
    "hubspot",
    "zoho",
    "linkedin",
    "ocr",
    "vip",
    "ceo",
    "cto",
    "cfo",
    "it",
    "b",  # 2B / 2C
    "c",
    "cx",
    "hd",
    "pdf",
    "sms",
    "qq",
    "email",
    "e",  # e-mail as in 电子邮件 is never shown, but E-mail column headers of peer systems are
    "mail",
    "iso",
    "sha",
    "kb",
    "mb",
    "gib",
    "mib",
    "ai",
    "crm",
    "utc",
    "google",
    "microsoft",
    "authenticator",
    "freeotp",
    "true",  # JSON's words
    "false",
    "null",
    "english",  # the language switch
    "authorization",  # the HTTP header named in the token help
}
# Peer systems' column headers that a mapping page shows as the file has them.
ALLOWED_DATA_WORDS: set[str] = set()

_URL = re.compile(r"(?:https?://|otpauth://|/)[\w\-./?=&%#:~+]*")
_EMAIL = re.compile(r"[\w.+\-*]+@[\w\-]+(?:\.[\w\-]+)+")
_DOMAIN = re.compile(r"\b[\w\-]+(?:\.[a-z]{2,})+\b")
_QUOTED = re.compile(r"'[\w.\-]*'|`[^`]*`")
_TIME_ZONE = re.compile(r"\b[A-Z][a-z]+/[A-Za-z_]+\b")
_OAUTH_SCOPE = re.compile(r"\b[a-z]+:(?:read|write)\b")  # OAuth scopes: customers:read
_WORD = re.compile(r"(?<![\w\-.@/])[A-Za-z][A-Za-z'’]*(?![\w@/])")


def visible_text(html: str) -> str:
    """What a person reads: text between tags, placeholders, titles and button values; not
    scripts, styles, names or ids."""
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    shown = []
    for match in re.finditer(r"<[^>]+>", html):
        tag = match.group(0)
        for attr in ("placeholder", "title", "aria-label", "alt"):
            found = re.search(rf'\s{attr}="([^"]*)"', tag)
            if found:
                shown.append(found.group(1))
        if re.match(r"<input\b", tag) and re.search(r'type="(submit|button)"', tag):
            found = re.search(r'\svalue="([^"]*)"', tag)
            if found:
                shown.append(found.group(1))
    text = re.sub(r"<[^>]+>", " ", html)
    return unescape(" ".join([text, *shown]))


def english_words(text: str, allowed: set[str]) -> list[str]:
    """Latin-letter words that are not a brand, a code beside digits, an address or data."""
    text = _QUOTED.sub(" ", text)  # codes a client sends: 'csv', `bad_json`
    text = _EMAIL.sub(" ", text)
    text = _TIME_ZONE.sub(" ", text)
    text = _OAUTH_SCOPE.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _DOMAIN.sub(" ", text)
    found = []
    for match in _WORD.finditer(text):
        word = match.group(0).strip("'’")
        if word.lower() in ALLOWED or word.lower() in allowed:
            continue
        if len(word) > 1 and word.isupper():  # a code or an abbreviation: CX, ERP, a secret
            continue
        found.append(word)
    return found


def sentences_around(text: str, words: list[str]) -> list[str]:
    """Each offending word with a little context, for a readable failure."""
    shown = []
    for word in dict.fromkeys(words):
        match = re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text)
        at = match.start() if match else 0
        context = re.sub(r"\s+", " ", text[max(0, at - 30) : at + 50]).strip()
        shown.append(f"{word}: {context}")
    return shown


def data_words() -> set[str]:
    """Latin words in the world's own data (usernames, company names): shown as written."""
    words: set[str] = {"nobody"}  # the import's unknown owner, echoed in its failed rows
    for username in User.objects.values_list("username", flat=True):
        words.update(w.lower() for w in re.findall(r"[A-Za-z]+", username))
    for values in Customer.objects.values_list("name", "external_source"):
        for value in values:
            words.update(w.lower() for w in re.findall(r"[A-Za-z]+", value or ""))
    for key in CustomField.objects.values_list("key", flat=True):  # an admin's field keys
        words.update(w.lower() for w in re.findall(r"[A-Za-z]+", key))
    from kehu.workflow.models import Rule  # an admin's rules, edited as JSON codes

    for conditions, actions in Rule.objects.values_list("conditions", "actions"):
        words.update(w.lower() for w in re.findall(r"[A-Za-z]+", json.dumps([conditions, actions])))
    return words


def _import_with_failures(tmp: Path) -> None:
    from kehu.intake.tests.helpers import standard_row, write_csv

    rows = [
        standard_row(1),
        standard_row(2, 客户名称=""),
        standard_row(3, 决策人联系方式="12345", 邮箱="无效邮箱"),
        standard_row(4, 负责人="nobody"),
        standard_row(5, 所属行业="炼金术"),
        standard_row(1),
    ]
    source = write_csv(tmp / "客户导入.csv", rows)
    call_command("import", str(source), "--user", "zhang", stdout=StringIO())


def build_world(tmp: Path) -> dict[str, Any]:
    """The training sandbox (small), plus what it lacks: an import with failed rows, a probable
    duplicate pair, an audit entry of each kind the pages group by."""
    with override_settings(KEHU_REQUIRE_2FA=False):
        return _build_world(tmp)


def _build_world(tmp: Path) -> dict[str, Any]:
    call_command("demo", "--customers", "40", stdout=StringIO())
    _import_with_failures(tmp)
    zhang = User.objects.get(username="zhang")
    mine = list(Customer.objects.filter(owner=zhang).order_by("id")[:2])
    with transaction.atomic():
        DuplicatePair.objects.create(
            customer_a=mine[0], customer_b=mine[1], score=0.93, source=DuplicatePair.Source.SCAN
        )
    audit_record(actor=zhang, action=AuditAction.CUSTOMER_UPDATED, target=mine[0], changes={})
    _work_through_the_api(mine[0])
    users = {u.username: u for u in User.objects.all()}
    return {"users": users, "customer": mine[0], "other": mine[1]}


def _client(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username=username))
    return client


def _post(client: Client, url: str, data: dict[str, Any], method: str = "post") -> Any:
    response = getattr(client, method)(url, json.dumps(data), content_type="application/json")
    assert response.status_code < 300, (url, response.status_code, response.content[:300])
    return response.json() if response.content else None


def _work_through_the_api(customer: Customer) -> None:
    """What people do in a day, so every kind of history has entries: a tag, an owner changed
    by the manager, a share, a merge by the steward, a decided review, a hand-over."""
    number = customer.customer_no
    zhang, zhou, steward = _client("zhang"), _client("zhou"), _client("he")
    _post(zhang, f"/api/v1/customers/{number}/tags", {"tag": "VIP"})  # a library tag
    _post(zhou, f"/api/v1/customers/{number}", {"owner": "li", "city": "成都市"}, "patch")
    _post(zhou, f"/api/v1/customers/{number}/shares", {"user": "wang"})
    li = User.objects.get(username="li")
    survivor, merged = Customer.objects.filter(owner=li).order_by("id")[2:4]
    _post(steward, "/api/v1/dedupe/merge", {"survivor": survivor.pk, "merged": merged.pk})
    item = ReviewItem.objects.filter(status="pending").order_by("id").first()
    if item is not None:
        _post(zhou, f"/api/v1/review/{item.pk}/reject", {"note": "预算有误"})
    admin = _client("admin")
    chen = User.objects.get(username="chen")
    plan = _post(admin, f"/api/v1/users/{chen.pk}/handover/plan", {"default": "zhao"})
    _post(
        admin,
        f"/api/v1/users/{chen.pk}/handover",
        {"default": "zhao", "plan_token": plan["plan_token"]},
    )
