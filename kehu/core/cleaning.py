"""Collect every field's error at once, so a person fixes a record in one pass."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .errors import ValidationFailed
from .text import clean_multiline, clean_text

T = TypeVar("T")


class FieldCleaner:
    """Runs field rules over a raw mapping; keeps the clean values and the errors by field."""

    def __init__(self, data: dict[str, Any], *, prefix: str = "") -> None:
        self.data = data
        self.prefix = prefix
        self.values: dict[str, Any] = {}
        self.errors: dict[str, list[str]] = {}

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> str:
        return clean_text(self.data.get(key))

    def error(self, key: str, message: str) -> None:
        self.errors.setdefault(f"{self.prefix}{key}", []).append(str(message))

    def field(
        self,
        key: str,
        rule: Callable[[str], T] | None = None,
        *,
        target: str | None = None,
        empty: Any = "",
        max_length: int | None = None,
    ) -> None:
        """Clean data[key] with rule into values[target or key]; blank becomes `empty`."""
        if key not in self.data:
            return
        text = self.raw(key)
        name = target or key
        if not text:
            self.values[name] = empty
            return
        if max_length is not None and len(text) > max_length:
            self.too_long(key, max_length, len(text))
            return
        if rule is None:
            self.values[name] = text
            return
        try:
            self.values[name] = rule(text)
        except ValidationError as exc:
            for message in exc.messages:
                self.error(key, message)

    def too_long(self, key: str, max_length: int, length: int) -> None:
        self.error(
            key,
            _("At most %(max)s characters (this has %(count)s).")
            % {"max": f"{max_length:,}", "count": f"{length:,}"},
        )

    def multiline(self, key: str, *, max_length: int) -> None:
        """Free text with line breaks (notes, summaries): refused past max_length, never cut."""
        if key not in self.data:
            return
        text = clean_multiline(self.data.get(key))
        if len(text) > max_length:
            self.too_long(key, max_length, len(text))
            return
        self.values[key] = text

    def raise_if_errors(self, *others: dict[str, list[str]]) -> None:
        merged = dict(self.errors)
        for other in others:
            for key, messages in other.items():
                merged.setdefault(key, []).extend(messages)
        if merged:
            raise ValidationFailed(merged)
