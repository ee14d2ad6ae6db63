"""Fixed-window counters in the cache every Kehu process shares (settings.CACHES: Redis, or a
table of the database), so that two workers behind one proxy count one bucket per client."""

from __future__ import annotations

from django.core.cache import BaseCache, cache


def rate_limit_hit(key: str, *, limit: int, window: int, store: BaseCache | None = None) -> bool:
    """Count one hit on `key`; True when it is past `limit` hits within `window` seconds.

    The window starts at the first hit. Redis increments atomically; the database cache reads
    and writes the count, so two hits at the same instant may count once (never twice).
    """
    store = store if store is not None else cache
    full_key = f"kehu:rate:{key}"
    store.add(full_key, 0, timeout=window)  # starts the window; a no-op while it runs
    try:
        count = store.incr(full_key)
    except ValueError:  # the window ended between the two calls
        store.set(full_key, 1, timeout=window)
        count = 1
    return count > limit
