"""/api/v1/help: a page's help (Markdown and HTML), the release notes and the data standard."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import ConfigDict

from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors
from kehu.core.errors import NotFound, ValidationFailed, one_of

from .content import LANGUAGES, help_index, language_of, newer_than, page_help, whatsnew
from .selectors import whatsnew_seen_version
from .services import whatsnew_mark_seen
from .standard import standard_document

router = Router(tags=["help"])


class LanguageQuery(Schema):
    language: str | None = None  # "zh-hans" or "en"; the request's language when absent

    def chosen(self) -> str | None:
        if self.language is None:
            return None
        if self.language.lower() not in LANGUAGES:
            raise ValidationFailed({"language": [one_of(list(LANGUAGES))]})
        return self.language.lower()


class HelpPageOut(Schema):
    name: str
    language: str
    title: str
    markdown: str
    html: str


class HelpIndexOut(Schema):
    name: str
    title: str


class NoteOut(Schema):
    version: str
    title: str
    markdown: str
    html: str
    is_new: bool


class WhatsNewOut(Schema):
    language: str
    seen_version: str | None
    unseen: int
    notes: list[NoteOut]


class SeenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: str | None = None


class SeenOut(Schema):
    seen_version: str | None


class FieldOut(Schema):
    name: str
    label: str
    type: str
    required: bool
    system: bool
    max_length: int | None
    values: str
    rule: str
    help_text: str


class EntityOut(Schema):
    key: str
    label: str
    fields: list[FieldOut]


class ValueListOut(Schema):
    key: str
    label: str
    values: list[dict[str, str]]


class TagOut(Schema):
    name: str
    type: str
    description: str
    exclusive_group: str


class StandardOut(Schema):
    entities: list[EntityOut]
    value_lists: list[ValueListOut]
    tags: list[TagOut]


@router.get(
    "/help/pages", response={200: list[HelpIndexOut], **errors(422)}, summary="Every page's help"
)
def help_page_list(request: AuthedRequest, query: Query[LanguageQuery]) -> list[dict[str, str]]:
    return [{"name": h.name, "title": h.title} for h in help_index(query.chosen())]


@router.get(
    "/help/pages/{name}",
    response={200: HelpPageOut, **errors(404, 422)},
    summary="A page's help, by URL name",
)
def help_page_detail(
    request: AuthedRequest, name: str, query: Query[LanguageQuery]
) -> dict[str, str]:
    found = page_help(name, query.chosen())
    if found is None:
        raise NotFound(_("There is no help for this page yet."))
    return {
        "name": found.name,
        "language": found.language,
        "title": found.title,
        "markdown": found.markdown,
        "html": str(found.html),
    }


@router.get(
    "/help/whatsnew",
    response={200: WhatsNewOut, **errors(422)},
    summary="Release notes, newest first",
)
def help_whatsnew(request: AuthedRequest, query: Query[LanguageQuery]) -> dict[str, Any]:
    language = query.chosen()
    notes = whatsnew(language)
    seen = whatsnew_seen_version(request.user)
    new = {n.version for n in newer_than(seen, notes)}
    return {
        "language": language_of(language),
        "seen_version": seen,
        "unseen": len(new),
        "notes": [
            {
                "version": n.version,
                "title": n.title,
                "markdown": n.markdown,
                "html": str(n.html),
                "is_new": n.version in new,
            }
            for n in notes
        ],
    }


@router.post(
    "/help/whatsnew/seen",
    response={200: SeenOut, **errors(422)},
    summary="Mark release notes as read",
)
def help_whatsnew_seen(request: AuthedRequest, payload: SeenIn) -> dict[str, str | None]:
    return {"seen_version": whatsnew_mark_seen(actor=request.user, version=payload.version)}


@router.get("/help/standard", response=StandardOut, summary="The data standard")
def help_standard(request: AuthedRequest) -> dict[str, Any]:
    return standard_document()
