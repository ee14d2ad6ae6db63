"""Optimistic locking: a `version` on the rows people edit (customers, contacts, opportunities,
orders).

Every save of a `Versioned` row that changes an edited field is

    UPDATE … SET …, version = version + 1 WHERE id = %s AND version = %s

with the version the row was read at; zero rows for a row that exists means someone else
changed it in between (`StaleVersion`, a `VersionConflict`). A save that writes only derived
fields (`UNVERSIONED_FIELDS`: completeness, the last interaction, …) leaves the version alone, so
logging a call does not make an open edit form stale. Bulk writers that use
`QuerySet.update` add `version=version_next()` themselves.

Services take the version an editor started from (`expected`) and call `version_check` on the
row they locked: a different version raises `VersionConflict` before anything is written.
A client that sends no version is not checked (last write wins, as before versions existed).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, ClassVar, Self, cast

from django.db import models
from django.db.models import F, QuerySet
from django.db.models.expressions import CombinedExpression
from django.utils.translation import gettext_lazy as _

from .errors import ValidationFailed, VersionConflict

BAD_VERSION = _("Give the version you edited: a whole number from 1.")


def version_next() -> CombinedExpression:
    """`version = version + 1` for a `QuerySet.update` of versioned rows."""
    return F("version") + 1


class Versioned(models.Model):
    """Abstract base: a version counter that every edit raises by one in the same UPDATE."""

    # Fields whose change alone is no edit: derived values the system keeps up to date.
    UNVERSIONED_FIELDS: ClassVar[frozenset[str]] = frozenset({"updated_at"})

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def _do_update(
        self,
        base_qs: QuerySet[Self],
        using: str | None,
        pk_val: Any,
        values: Collection[tuple[models.Field[Any, Any], type[models.Model] | None, Any]],
        update_fields: Iterable[str] | None,
        forced_update: bool,
    ) -> bool:
        names = {field.name for field, _model, _value in values}
        if not values or not (names - self.UNVERSIONED_FIELDS - {"version"}):
            return bool(
                super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
            )
        version_field = cast(models.Field[Any, Any], self._meta.get_field("version"))
        bumped = [(f, m, v) for f, m, v in values if f.name != "version"]
        bumped.append((version_field, None, F("version") + 1))
        read_at = self.version
        filtered = base_qs.filter(pk=pk_val, version=read_at)
        # The UPDATE Django's own _do_update runs, with the version in its WHERE and SET.
        if filtered._update(bumped) > 0:  # type: ignore[attr-defined]
            self.version = read_at + 1
            return True
        current = base_qs.filter(pk=pk_val).values_list("version", flat=True).first()
        if current is None:
            return False  # no such row: Django inserts it (a restored row keeps its pk)
        raise StaleVersion(self, expected=read_at, current=current)


class StaleVersion(VersionConflict):
    """The row changed between reading and writing it (found by the UPDATE itself)."""

    def __init__(self, row: models.Model, *, expected: int, current: int) -> None:
        super().__init__(model=row._meta.label_lower, pk=row.pk, expected=expected, current=current)


def version_check(row: Versioned, expected: int | None) -> None:
    """Raise VersionConflict when the editor started from another version than the row's (read
    under the service's lock); `None` (a client that sent no version) is not checked."""
    if expected is not None and int(expected) != row.version:
        raise VersionConflict(
            model=row._meta.label_lower, pk=row.pk, expected=int(expected), current=row.version
        )


def version_pop(data: dict[str, Any]) -> int | None:
    """Take `version` out of a payload (a form's hidden field, an API body): the version the
    editor started from, or None when it was not sent."""
    raw = data.pop("version", None)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed({"version": [str(BAD_VERSION)]}) from None
    if value < 1:
        raise ValidationFailed({"version": [str(BAD_VERSION)]})
    return value
