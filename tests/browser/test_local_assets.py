"""With every request off the server blocked, htmx and the Swagger UI of /api/v1/docs still run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def offline_page(browser: Any, live_server: Any) -> Iterator[tuple[Any, list[str]]]:
    """A page that may reach only the live server; the URLs it tried elsewhere are listed."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    elsewhere: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    yield page, elsewhere
    context.close()


def test_pages_run_htmx_without_internet(live_server: Any, offline_page: Any) -> None:
    page, elsewhere = offline_page
    page.goto(f"{live_server.url}/login/")
    page.wait_for_function("typeof window.htmx === 'object'")
    assert page.evaluate("htmx.version").startswith("2.")
    assert elsewhere == []


def test_api_docs_render_without_internet(live_server: Any, offline_page: Any) -> None:
    page, elsewhere = offline_page
    # Swagger UI renders only the operations near the view: a tall one holds them all, so the
    # last tag's operations show that the whole spec was read.
    page.set_viewport_size({"width": 1280, "height": 20000})
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .info .title", has_text="Kehu API").wait_for()
    page.locator(".opblock-summary-path", has_text="/api/v1/customers").first.wait_for()
    page.locator(".opblock-summary-path", has_text="/api/v1/notifications").first.wait_for()
    assert page.locator(".opblock").count() > 20
    assert elsewhere == []
