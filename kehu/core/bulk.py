"""Fast inserts for bulk services (imports): prepared columns, executemany on SQLite, COPY on
PostgreSQL. Only an app's services call these for that app's models (the write-path check).

What bulk_create would store, without its per-value compiler work: each concrete field's value
is taken as is when the driver stores it unchanged (text, numbers, keys, flags) and through the
field's own get_db_prep_save otherwise (dates, times, decimals, JSON). auto_now and
auto_now_add fields get one timestamp per call. Keys are reserved first (the sequence on
PostgreSQL; above the highest used on SQLite, whose IMMEDIATE transactions hold the write lock)
so the caller knows them without reading back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from inspect import getattr_static
from operator import attrgetter, itemgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.base import ModelState
from django.db.models.fields import return_None  # type: ignore[attr-defined]
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

from .crypto import EncryptedCharField, blind_fill, encrypted_prep

_PLAIN = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "ForeignKey",
    "IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SlugField",
    "SmallIntegerField", "TextField",
}  # fmt: skip


def _plain_str(value: Any) -> Any:
    return value if value is None or type(value) is str else str(value)  # TextChoices -> str


def _columns(
    model: type[models.Model], with_ids: bool, db: Any
) -> list[tuple[str, str, Callable[[Any], Any] | None, bool]]:
    """(column, attname, converter or None, stamped) of each concrete field written."""
    out = []
    for field in model._meta.concrete_fields:
        if field.primary_key and not with_ids:
            continue
        kind = field.get_internal_type()
        stamped = bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
        converter: Callable[[Any], Any] | None
        if kind in _PLAIN and not getattr(field, "encrypted", False):
            converter = _plain_str if field.choices else None
        elif kind == "JSONField":
            converter = _json_converter(partial(field.get_db_prep_save, connection=db))
        elif type(field) is EncryptedCharField:  # not a subclass: it could prepare otherwise
            converter = encrypted_prep(field, partial(field.get_db_prep_save, connection=db))
        else:
            converter = partial(field.get_db_prep_save, connection=db)
        out.append((field.column, field.attname, converter, stamped))
    return out


def _json_converter(prep: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """prep, with empty objects and lists (most report rows' errors and raw cells) prepared once."""
    empty: dict[type, Any] = {dict: prep({}), list: prep([])}

    def convert(value: Any) -> Any:
        if not value and type(value) in empty:
            return empty[type(value)]
        return prep(value)

    return convert


_ATTNAMES: dict[type[models.Model], list[str]] = {}


def _attnames(model: type[models.Model]) -> list[str]:
    names = _ATTNAMES.get(model)
    if names is None:
        names = _ATTNAMES[model] = [f.attname for f in model._meta.concrete_fields]
    return names


def field_values(obj: models.Model) -> tuple[Any, ...]:
    """The values of obj's concrete fields, in their order (what unsaved() takes back)."""
    return tuple([getattr(obj, name) for name in _attnames(type(obj))])


def unsaved(model: type[models.Model], values: Sequence[Any]) -> Any:
    """An unsaved instance with these field values: what model(*values) returns, without the
    constructor's per-field descriptor work (5-10 µs an instance). For models without init
    signals (test_workers.py checks the ones the import builds this way)."""
    obj = model.__new__(model)
    obj.__dict__.update(zip(_attnames(model), values, strict=True))
    obj._state = ModelState()
    return obj


# Per model: {attname: default} of every field, and the fields whose default is made anew for
# each instance (a callable such as dict or list, or a database default).
_DEFAULTS: dict[type[models.Model], tuple[dict[str, Any], list[tuple[str, Callable[[], Any]]]]] = {}


def fresh(model: type[models.Model]) -> Any:
    """What model() returns (an unsaved instance, every field at its default), without the
    constructor's per-field descriptor and signal work (~40 µs for a customer): a field whose
    default is a plain value ("", None, 1, a choice) gets that value, any other calls its
    default (Field.get_default), as the constructor does. A model with init signals is built by
    its constructor (kehu/intake/tests/test_bulk_rows.py compares the two)."""
    found = _DEFAULTS.get(model)
    if found is None:
        if pre_init.has_listeners(model) or post_init.has_listeners(model):
            return model()
        values: dict[str, Any] = {}
        made: list[tuple[str, Callable[[], Any]]] = []
        for f in model._meta.concrete_fields:
            if f.column is None or f.generated:
                continue
            default = f._get_default  # type: ignore[attr-defined]
            if (
                default is str
                or default is return_None
                or (f.has_default() and not callable(f.default))
            ):
                values[f.attname] = default()  # the same value every time
            else:
                values[f.attname] = None  # its place in the order; called per instance
                made.append((f.attname, default))
        found = _DEFAULTS[model] = (values, made)
    values, made = found
    obj = model.__new__(model)
    obj._state = ModelState()
    obj.__dict__.update(values)
    for name, default in made:
        obj.__dict__[name] = default()
    return obj


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys of model's table; call inside the writing transaction."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f'SELECT max(coalesce((SELECT max("{pk}") FROM "{table}"), 0), '
            "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        first = int(cursor.fetchone()[0]) + 1
    return list(range(first, first + count))


_PLAIN_READ = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _reader(model: type[models.Model], names: list[str]) -> Callable[[Any], list[Any]]:
    """[getattr(obj, name) for name in names]: from the instance's __dict__ when every field
    reads its value from there unchanged (the two plain descriptors; a field loaded later, not
    in __dict__, is read through the model)."""
    if len(names) == 1:
        name = names[0]
        return lambda obj: [getattr(obj, name)]
    through_model = attrgetter(*names)
    if not all(type(getattr_static(model, name, None)) in _PLAIN_READ for name in names):
        return lambda obj: list(through_model(obj))
    from_dict = itemgetter(*names)

    def read(obj: Any) -> list[Any]:
        try:
            return list(from_dict(obj.__dict__))
        except KeyError:
            return list(through_model(obj))

    return read


# Set by kehu.core.write_path.install() (the test suite): checks who inserts which model.
WRITE_CHECK: Callable[[type[models.Model], str], None] | None = None


def insert_rows(
    model: type[models.Model], objects: Sequence[models.Model], *, with_ids: bool
) -> None:
    """Insert unsaved objects (with their pk set when `with_ids`) in one statement per table."""
    if WRITE_CHECK is not None:
        WRITE_CHECK(model, "insert_rows")
    if not objects:
        return
    blind_fill(objects)  # blind indexes of encrypted fields (kehu.core.crypto)
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the per-call proxy
    columns = _columns(model, with_ids, db)
    now = timezone.now()
    stamps = {attname: c(now) if c else now for _col, attname, c, stamped in columns if stamped}
    for obj in objects:
        for attname in stamps:
            setattr(obj, attname, now)
    values_of = _reader(model, [attname for _column, attname, _c, _stamped in columns])
    converted = [
        (index, stamps[attname] if stamped else None, converter)
        for index, (_column, attname, converter, stamped) in enumerate(columns)
        if stamped or converter is not None
    ]
    rows = []
    for obj in objects:
        row = values_of(obj)
        for index, stamp, converter in converted:
            if stamp is not None:
                row[index] = stamp
            elif row[index] is not None:
                row[index] = converter(row[index])  # type: ignore[misc]
        rows.append(row)
    table = model._meta.db_table
    names = ", ".join(f'"{column}"' for column, *_rest in columns)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = db.alias
