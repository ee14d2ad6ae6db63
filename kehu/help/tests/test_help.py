"""In-app help (issue 20): the "?" panel of every page, the help pages and their API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import resolve

from kehu.accounts.models import Role
from kehu.conftest import make_user
from kehu.help.content import LANGUAGES, page_help
from kehu.help.render import markdown_html

NAV = re.compile(r'<nav class="nav" id="main-nav".*?</nav>', re.S)
HREF = re.compile(r'href="(/[^"]*)"')


def nav_pages(client: Any, user: Any) -> set[str]:
    client.force_login(user)
    page = client.get("/").content.decode()
    nav = NAV.search(page)
    assert nav, "no main navigation on the home page"
    return {resolve(href.split("?")[0]).url_name or "" for href in HREF.findall(nav.group(0))}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.STEWARD, Role.REP, Role.MARKETING])
def test_every_page_in_the_main_navigation_has_help_in_both_languages(
    client: Any, team_east: Any, role: str
) -> None:
    names = nav_pages(client, make_user(f"nav-{role}", role, team_east))
    assert len(names) > 10
    missing = [(n, lang) for n in sorted(names) for lang in LANGUAGES if page_help(n, lang) is None]
    assert missing == []


def test_the_main_pages_have_their_own_help(db: Any) -> None:
    pages = [
        "customer-list", "customer-detail", "customer-create", "import-list", "dedupe-pairs",
        "review-list", "home", "search", "tag-settings", "segment-list", "analysis-value",
        "followup-list", "my-day", "opportunity-board",
    ]  # fmt: skip
    for name in pages:
        zh, en = page_help(name, "zh-hans"), page_help(name, "en")
        assert zh is not None and en is not None, name
        assert zh.title != en.title and re.search(r"[\u4e00-\u9fff]", zh.title), name
        assert len(zh.markdown) > 80 and len(en.markdown) > 80, name
    alias = page_help("customer-edit", "en")
    assert alias is not None and alias.name == "customer-create"  # an alias


def test_every_page_has_the_help_button_and_the_panel_opens_in_the_users_language(
    client: Any, rep: Any
) -> None:
    client.force_login(rep)
    page = client.get("/customers/").content.decode()
    assert 'id="help-toggle"' in page
    assert 'hx-get="/help/panel/?page=customer-list"' in page
    panel = client.get("/help/panel/", {"page": "customer-list"})
    assert panel.status_code == 200
    text = panel.content.decode()
    assert "客户列表" in text and "待补全" in text and "<h2" in text
    assert text.count("<li>") >= 5  # lists right after a paragraph line are lists
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = client.get("/help/panel/", {"page": "customer-list"}).content.decode()
    assert "Customers" in text and "Typical mistakes" in text


def test_a_page_without_help_says_so_and_links_the_index(client: Any, rep: Any) -> None:
    client.force_login(rep)
    text = client.get("/help/panel/", {"page": "no-such-page"}).content.decode()
    assert 'id="help-missing"' in text and 'href="/help/"' in text
    text = client.get("/help/panel/", {"page": "../../etc/passwd"}).content.decode()
    assert 'id="help-missing"' in text


def test_help_index_and_page(client: Any, rep: Any) -> None:
    client.force_login(rep)
    index = client.get("/help/").content.decode()
    assert "/help/pages/customer-list/" in index and "/help/standard/" in index
    page = client.get("/help/pages/dedupe-pairs/")
    assert page.status_code == 200 and "重复客户与合并" in page.content.decode()
    assert client.get("/help/pages/no-such-page/").status_code == 404


def test_signed_out_visitors_get_the_sign_in_page(client: Any, db: Any) -> None:
    assert client.get("/help/panel/", {"page": "home"}).status_code == 302
    assert client.get("/api/v1/help/pages/home").status_code == 401


def test_markdown_is_rendered_with_raw_html_escaped() -> None:
    html = str(
        markdown_html(
            "# T\n\n<script>alert(1)</script>\n\n**b** <img src=x onerror=alert(1)> "
            "[x](javascript:alert(1)) [ok](/help/)"
        )
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "javascript:" not in html
    assert "<strong>b</strong>" in html and 'href="/help/"' in html
    assert markdown_html("**Steps**\n1. one\n2. two").count("<li>") == 2


def test_api_page_help(api: Any, rep: Any) -> None:
    api.login(rep)
    response = api.get("/api/v1/help/pages/customer-detail")
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "zh-hans" and body["title"] == "客户 360 视图"
    assert "24 小时" in body["markdown"] and "<strong>" in body["html"]
    english = api.get("/api/v1/help/pages/interaction-list?language=en").json()
    assert english["name"] == "customer-detail" and english["title"] == "Customer 360"
    missing = api.get("/api/v1/help/pages/no-such-page")
    assert missing.status_code == 404 and "暂无帮助" in missing.json()["detail"]
    names = {row["name"] for row in api.get("/api/v1/help/pages").json()}
    assert {"customer-list", "import-list", "review-list"} <= names


def test_api_names_a_bad_language(api: Any, rep: Any) -> None:
    api.login(rep)
    response = api.get("/api/v1/help/pages/home?language=fr")
    assert response.status_code == 422 and "language" in response.json()["errors"]
    assert api.get("/api/v1/help/whatsnew?language=EN").json()["language"] == "en"
