"""Re-encryption in batches (kehu.core.crypto's columns): the encryption migrations and
`kehu rotate_keys` walk a table in primary-key order and rewrite what is not under the current
key, one locked transaction per batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection, models, transaction

from .crypto import (
    PREFIX,
    blind,
    blind_fields,
    decrypt,
    encrypt,
    encrypted_fields,
    keyring,
)


def encrypted_models() -> list[type[models.Model]]:
    """Every installed model with encrypted columns."""
    from django.apps import apps

    return [m for m in apps.get_models() if encrypted_fields(m)]


def stale_count(model: type[models.Model]) -> int:
    """Values of model not under the current key version (plaintext or older versions)."""
    qn = connection.ops.quote_name
    current = f"{PREFIX}{keyring().current}$%"
    checks = " OR ".join(
        f"({qn(f.column)} <> '' AND {qn(f.column)} NOT LIKE %s)" for f in encrypted_fields(model)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {qn(model._meta.db_table)} WHERE {checks}",
            [current] * len(encrypted_fields(model)),
        )
        return int(cursor.fetchone()[0])


def rewrite_rows(
    model: type[models.Model],
    *,
    select: list[str],
    sets: list[str],
    rewrite: Callable[[tuple[Any, ...]], list[Any] | None],
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
    using: Any = None,
) -> int:
    """Walk model's table in primary-key order, `batch_size` rows at a time, reading the SQL
    expressions `select`; `rewrite` returns the new values of the columns `sets` for a row (None:
    leave it). One UPDATE batch and transaction per batch, in SQL (no ORM writer: this runs in
    migrations and on the audit log), so it runs beside the application and may be stopped and
    run again. Returns rows changed."""
    db = using or connection
    table, pk = model._meta.db_table, model._meta.pk.column
    qn = db.ops.quote_name
    with db.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {qn(table)}")
        total = int(cursor.fetchone()[0])
    select_sql = f"SELECT {qn(pk)}, {', '.join(select)} FROM {qn(table)}"
    assignments = ", ".join(f"{qn(c)} = %s" for c in sets)
    update_sql = f"UPDATE {qn(table)} SET {assignments} WHERE {qn(pk)} = %s"
    done = changed = 0
    last = None
    # Each batch is read and written in one transaction, its rows locked (FOR UPDATE; SQLite's
    # IMMEDIATE transactions lock the whole database): a person's edit between the read and the
    # write would otherwise be overwritten by the value read before it.
    lock = " FOR UPDATE" if db.features.has_select_for_update else ""
    while True:
        with transaction.atomic(using=db.alias), db.cursor() as cursor:
            where = "" if last is None else f" WHERE {qn(pk)} > %s"
            cursor.execute(
                f"{select_sql}{where} ORDER BY {qn(pk)} LIMIT {int(batch_size)}{lock}",
                [] if last is None else [last],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            updates = []
            for row in rows:
                values = rewrite(tuple(row[1:]))
                if values is not None:
                    updates.append([*values, row[0]])
            if updates:
                cursor.executemany(update_sql, updates)
        changed += len(updates)
        done += len(rows)
        last = rows[-1][0]
        if progress is not None:
            progress(done, total)
    return changed


def reencrypt_model(
    model: type[models.Model],
    *,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
    using: Any = None,
) -> int:
    """Encrypt under the current key every value of model's encrypted columns that is not
    (plaintext, or an older version), and refresh its blind indexes; one transaction per batch,
    so it runs beside the application and may be stopped and run again. Returns rows changed."""
    db = using or connection
    fields = encrypted_fields(model)
    if not fields:
        return 0
    names = [f.name for f in fields]
    blinds = [b for b in blind_fields(model) if b.source in names]
    current = f"{PREFIX}{keyring().current}$"

    def rewrite(row: tuple[Any, ...]) -> list[Any] | None:
        values = dict(zip(names, row, strict=True))
        if all(not v or v.startswith(current) for v in values.values()):
            return None
        plain = {f.name: decrypt(values[f.name], f.aad()) if values[f.name] else "" for f in fields}
        sealed = [encrypt(plain[f.name], f.aad()) if plain[f.name] else "" for f in fields]
        return [*sealed, *[blind(b.kind, plain[b.source]) for b in blinds]]

    return rewrite_rows(
        model,
        select=[db.ops.quote_name(f.column) for f in fields],
        sets=[f.column for f in fields] + [b.column for b in blinds],
        rewrite=rewrite,
        batch_size=batch_size,
        progress=progress,
        using=db,
    )
