"""Markdown to safe HTML: the help is written in Markdown, and raw HTML in it is shown as text.

Python-Markdown passes raw HTML through by default; without its `html_block` preprocessor and
`html` inline pattern, `<script>` comes out as `&lt;script&gt;`. Links keep only http(s),
mailto and site paths, so a `javascript:` link cannot reach a page.
"""

from __future__ import annotations

import re

import markdown
from django.utils.safestring import SafeString, mark_safe

SAFE_LINK = re.compile(r"^(https?:|mailto:|/|#)", re.IGNORECASE)
HREF = re.compile(r'(href|src)="([^"]*)"')


LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s")


def _lists_apart(text: str) -> str:
    """A blank line before a list that follows a paragraph line: Python-Markdown needs one, and
    the help is written like chat ("**How**" then "- step") without it."""
    lines: list[str] = []
    for line in text.splitlines():
        previous = lines[-1] if lines else ""
        if LIST_ITEM.match(line) and previous.strip() and not LIST_ITEM.match(previous):
            lines.append("")
        lines.append(line)
    return "\n".join(lines)


def _converter() -> markdown.Markdown:
    converter = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    converter.inlinePatterns.deregister("entity")
    return converter


def _safe_link(match: re.Match[str]) -> str:
    attribute, url = match.group(1), match.group(2)
    return f'{attribute}="{url}"' if SAFE_LINK.match(url) else f'{attribute}="#"'


def markdown_html(text: str) -> SafeString:
    """The HTML of a Markdown text, raw HTML escaped and unsafe links dropped."""
    html = _converter().convert(_lists_apart(text))
    return mark_safe(HREF.sub(_safe_link, html))  # raw HTML escaped above
