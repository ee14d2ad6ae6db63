"""Sealed JSON payloads (issue 19): copies of personal values inside JSON columns, encrypted.

The customer and contact tables keep their personal columns encrypted (kehu.core.crypto), but
copies of those values travel in JSON: the change log's before/after values, an import row's
cells, a merge's snapshots, a held change's payload. `SealedJSONField` is a JSONField that
seals them on the way to the database and opens them on the way back, so every reader (pages,
API, undo, revert, erasure) keeps working on plain values:

- by key (the default): every string under a key named like an encrypted field of the registry
  (kehu.core.personal: phone, mobile, email, wechat, address, ...; also a dotted key ending so,
  "decision_maker.mobile"), at any depth, becomes
  `kx<version>$...` under the context "app.model.column:key". The structure stays as it was:
  keys, counts and other values remain readable and queryable (`payload__count__gte`).
- whole (`whole=True`): a free-form payload (an import row's cells under the file's own
  headers, messages quoting values) is sealed as one string; empty values stay empty.

A value that does not open (a plaintext row from before the seal migration) is read as it is.
`reseal_model` seals such rows and re-encrypts older key versions (the migration, and
`kehu rotate_keys`). The audit chain hashes the opened content (kehu.audit), so sealing and
rotation leave every entry's hash as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db import connection, models

from .crypto import decrypt, encrypt, is_encrypted, keyring, version_of
from .crypto_batches import rewrite_rows


def sealed_names() -> frozenset[str]:
    """The keys whose values are sealed: the registry's encrypted field names."""
    from .personal import scrubbed_names

    return scrubbed_names()


_KEYS: dict[str, bool] = {}
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _is_sealed_key(key: str) -> bool:
    """A key named like an encrypted field, or ending so ("decision_maker.mobile")."""
    hit = _KEYS.get(key)
    if hit is None:
        names = sealed_names()
        hit = key in names or key.rpartition(".")[2] in names
        if len(_KEYS) < 10_000:  # keys are field names: a few hundred at most
            _KEYS[key] = hit
    return hit


def _walk(value: Any, leaf: Callable[[str, str], Any], key: str | None) -> Any:
    """value with every string under a sealed key (`key` once inside one) passed to leaf.
    Hot (every audit entry, every import row): copy-on-write, so a payload without personal
    values comes back as the same object, and scalars outside sealed keys are not visited."""
    kind = type(value)
    if kind is dict:
        out = None
        for k, v in value.items():
            if key is None and not _is_sealed_key(k):
                if type(v) in _SCALARS or (  # the common {field: [before, after]}
                    type(v) is list
                    and len(v) == 2
                    and type(v[0]) in _SCALARS
                    and type(v[1]) in _SCALARS
                ):
                    continue
                new = _walk(v, leaf, None)
            else:
                new = _walk(v, leaf, k if key is None else key)
            if new is not v:
                if out is None:
                    out = dict(value)
                out[k] = new
        return value if out is None else out
    if kind is list:
        copied = None
        for index, v in enumerate(value):
            if key is None and type(v) in _SCALARS:
                continue
            new = _walk(v, leaf, key)
            if new is not v:
                if copied is None:
                    copied = list(value)
                copied[index] = new
        return value if copied is None else copied
    if key is not None and isinstance(value, str) and value:
        return leaf(value, key)
    return value


def _empty(value: Any) -> bool:
    return value is None or value == {} or value == [] or value == ""


def seal(value: Any, context: str, *, whole: bool = False) -> Any:
    """value with its personal strings encrypted (whole: all of it, as one string)."""
    if whole:
        if _empty(value) or not isinstance(value, (dict, list)):
            return value  # a lookup's right-hand side, or already sealed
        return encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True), context)
    return _walk(
        value,
        lambda text, key: text if is_encrypted(text) else encrypt(text, f"{context}:{key}"),
        None,
    )


def open_sealed(value: Any, context: str, *, whole: bool = False) -> Any:
    """What seal() sealed, opened (plaintext values are returned as they are)."""
    if whole:
        if isinstance(value, str) and is_encrypted(value):
            return json.loads(decrypt(value, context))
        return value
    return _walk(
        value,
        lambda text, key: decrypt(text, f"{context}:{key}") if is_encrypted(text) else text,
        None,
    )


def is_stale(value: Any, *, whole: bool = False) -> bool:
    """Whether a stored value holds personal text in clear or under an older key version."""
    current = keyring().current
    if whole:
        if isinstance(value, str):
            return is_encrypted(value) and version_of(value) != current
        return isinstance(value, (dict, list)) and not _empty(value)
    found: list[bool] = []
    _walk(value, lambda text, key: found.append(version_of(text) != current), None)
    return any(found)


class SealedJSONField(models.JSONField):
    """A JSONField whose personal values are stored sealed (see the module's docstring)."""

    def __init__(self, *args: Any, whole: bool = False, **kwargs: Any) -> None:
        self.whole = whole
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.whole:
            kwargs["whole"] = True
        return name, path, args, kwargs

    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def get_prep_value(self, value: Any) -> Any:
        from django.conf import settings

        value = super().get_prep_value(value)
        if not settings.KEHU_ENCRYPTION or hasattr(value, "as_sql"):
            return value
        return seal(value, self.context(), whole=self.whole)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        loaded = super().from_db_value(value, expression, connection)
        if isinstance(expression, models.expressions.Col) or expression is None:
            return open_sealed(loaded, self.context(), whole=self.whole)
        return loaded  # a key of it (values("changes__phone")): returned as stored


def sealed_fields(model: type[models.Model]) -> list[SealedJSONField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, SealedJSONField)]


def sealed_models() -> list[type[models.Model]]:
    """Every installed model with sealed JSON columns."""
    from django.apps import apps

    return [m for m in apps.get_models() if sealed_fields(m)]


def reseal_model(
    model: type[models.Model],
    *,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
    using: Any = None,
) -> int:
    """Seal under the current key every value of model's sealed columns that is in clear or
    under an older version; one transaction per batch, resumable. Returns rows changed."""
    db = using or connection
    fields = sealed_fields(model)
    if not fields:
        return 0

    def rewrite(row: tuple[Any, ...]) -> list[Any] | None:
        stored = [json.loads(text) if text is not None else None for text in row]
        if not any(is_stale(v, whole=f.whole) for f, v in zip(fields, stored, strict=True)):
            return None
        return [
            f.get_db_prep_save(open_sealed(v, f.context(), whole=f.whole), connection=db)
            for f, v in zip(fields, stored, strict=True)
        ]

    qn = db.ops.quote_name
    return rewrite_rows(
        model,
        select=[f"CAST({qn(f.column)} AS text)" for f in fields],
        sets=[f.column for f in fields],
        rewrite=rewrite,
        batch_size=batch_size,
        progress=progress,
        using=db,
    )


def stale_sealed_count(model: type[models.Model]) -> int:
    """Rows of model whose sealed columns hold clear or older-version values."""
    fields = sealed_fields(model)
    qn = connection.ops.quote_name
    columns = ", ".join(f"CAST({qn(f.column)} AS text)" for f in fields)
    count = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {qn(model._meta.db_table)}")
        for row in cursor.fetchall():
            if any(
                text is not None and is_stale(json.loads(text), whole=field.whole)
                for field, text in zip(fields, row, strict=True)
            ):
                count += 1
    return count
