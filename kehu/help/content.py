"""The help texts: Markdown files in kehu/help/content, one a page and language.

A page's help is chosen by its URL name (`resolve(path).url_name`): content/<language>/<name>.md,
or the file ALIASES names (a customer's edit page shares the new-customer help). The first line
`# Title` is the title. Release notes are content/whatsnew/<version>.md (zh-hans) and
<version>.en.md (English), newest version first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.safestring import SafeString
from django.utils.translation import get_language

from .render import markdown_html

CONTENT = Path(__file__).resolve().parent / "content"
LANGUAGES = ("zh-hans", "en")
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
VERSION = re.compile(r"^\d{4}\.\d{1,2}(\.\d+)?$")

# Pages that share another page's help (URL name -> help file name).
ALIASES: dict[str, str] = {
    "customer-edit": "customer-create",
    "interaction-list": "customer-detail",
    "contact-edit": "customer-detail",
    "contact-add": "customer-detail",
    "interaction-create": "customer-detail",
    "import-detail": "import-list",
    "import-dry-run": "import-list",
    "import-failed": "import-list",
    "customer-export": "import-list",
    "dedupe-pair": "dedupe-pairs",
    "dedupe-rules": "dedupe-pairs",
    "review-detail": "review-list",
    "change-request-list": "review-list",
    "segment-new": "segment-list",
    "segment-detail": "segment-list",
    "segment-edit": "segment-list",
    "tag-edit": "tag-settings",
    "tag-type-edit": "tag-settings",
    "tag-rule-edit": "tag-rule-list",
    "value-octants": "analysis-value",
    "value-settings": "analysis-value",
    "value-propensity": "analysis-value",
    "followup-edit": "followup-list",
    "opportunity-detail": "opportunity-board",
    "opportunity-forecast": "opportunity-board",
    "pipeline-settings": "opportunity-board",
    "user-create": "collab-users",
    "user-edit": "collab-users",
    "collab-handover": "collab-users",
    "job-detail": "job-list",
    "quality-audit": "quality-dashboard",
    "capture-chat": "capture-card",
    "custom-field-edit": "custom-field-list",
    "team-settings": "company-settings",
    "help-page": "help-index",
    "help-whatsnew": "help-index",
    "help-standard": "help-index",
    "help-panel": "help-index",
}


def language_of(code: str | None = None) -> str:
    """The help language for a Django language code (zh-hans unless English)."""
    code = (code or get_language() or "zh-hans").lower()
    return "en" if code.startswith("en") else "zh-hans"


@dataclass(frozen=True)
class HelpText:
    name: str  # the help file's name (a URL name)
    language: str
    title: str
    markdown: str

    @property
    def html(self) -> SafeString:
        return markdown_html(self.markdown)


def _split(text: str, fallback: str) -> tuple[str, str]:
    first, _sep, rest = text.partition("\n")
    if first.startswith("# "):
        return first[2:].strip(), rest.strip() + "\n"
    return fallback, text


@lru_cache(maxsize=512)
def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None


def help_file_name(url_name: str) -> str:
    return ALIASES.get(url_name, url_name)


def page_help(url_name: str, language: str | None = None) -> HelpText | None:
    """The help for a page (by URL name) in the language; None when there is none yet."""
    if not NAME.match(url_name or ""):
        return None
    lang = language_of(language)
    name = help_file_name(url_name)
    text = _read(CONTENT / lang / f"{name}.md")
    if text is None:
        return None
    title, body = _split(text, name)
    return HelpText(name=name, language=lang, title=title, markdown=body)


def help_index(language: str | None = None) -> list[HelpText]:
    """Every page's help in the language, by title."""
    lang = language_of(language)
    found = [page_help(path.stem, lang) for path in sorted((CONTENT / lang).glob("*.md"))]
    return sorted((h for h in found if h is not None), key=lambda h: h.title)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@dataclass(frozen=True)
class ReleaseNotes:
    version: str
    language: str
    title: str
    markdown: str

    @property
    def html(self) -> SafeString:
        return markdown_html(self.markdown)


def whatsnew(language: str | None = None) -> list[ReleaseNotes]:
    """Every release's notes, newest first, in the language (zh-hans when no English file)."""
    lang = language_of(language)
    versions = {
        path.name.removesuffix(".md").removesuffix(".en")
        for path in (CONTENT / "whatsnew").glob("*.md")
    }
    notes = []
    for version in sorted((v for v in versions if VERSION.match(v)), key=version_key):
        text = None
        if lang == "en":
            text = _read(CONTENT / "whatsnew" / f"{version}.en.md")
        if text is None:
            text = _read(CONTENT / "whatsnew" / f"{version}.md")
        if text is None:
            continue
        title, body = _split(text, version)
        notes.append(ReleaseNotes(version=version, language=lang, title=title, markdown=body))
    return notes[::-1]


def newer_than(version: str | None, notes: list[ReleaseNotes]) -> list[ReleaseNotes]:
    """The notes after `version` (all when None)."""
    if not version or not VERSION.match(version):
        return notes
    seen = version_key(version)
    return [n for n in notes if version_key(n.version) > seen]
