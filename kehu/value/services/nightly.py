"""Recompute every customer's value row, set-based: a handful of GROUP BY and window-function
queries into temporary tables, then one upsert (INSERT … SELECT … ON CONFLICT DO UPDATE) per
range of customer ids. The same SQL on SQLite (3.25+) and PostgreSQL; the rules are classify.py's,
stated as CASE expressions (kehu/value/tests check that both paths agree)."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ..octants import OCTANTS
from .config import COUNTED_STATUSES, config_load, settings_row
from .events import lifecycle_changes_record

logger = logging.getLogger(__name__)

UPSERT_BATCH = 100_000  # customer ids per upsert transaction
TEMP = ("value_tmp_o", "value_tmp_r", "value_tmp_i", "value_tmp_ch", "value_tmp_p", "value_tmp_pt",
        "value_tmp_new")  # fmt: skip
COLUMNS = (
    "first_order_date", "last_order_date", "order_count", "revenue", "avg_order_value", "r", "f",
    "m", "rfm_score", "octant", "grade", "lifecycle", "interaction_level", "channel_preference",
    "product_interest", "tenure_band", "repurchase_level", "computed_at",
)  # fmt: skip


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _days_since(column: str) -> str:
    """Whole days from `column` (a date) to the %(today)s parameter."""
    if _pg():
        return f"(CAST(%(today)s AS date) - {column})"
    return f"CAST(julianday(%(today)s) - julianday({column}) AS INTEGER)"


def _quintile(dim: str) -> str:
    return f"(1 + (5 * (2 * r.{dim}_below + r.{dim}_eq)) / (2 * r.total))"


def _run(sql: str, params: dict[str, Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or None)


def _one(sql: str, params: dict[str, Any] | None = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or None)
        row = cursor.fetchone()
    return row[0] if row else None


def _drop() -> None:
    for name in TEMP:
        _run(f"DROP TABLE IF EXISTS {name}")


def _aggregate(p: dict[str, Any]) -> None:
    statuses = ", ".join(f"'{s}'" for s in COUNTED_STATUSES)
    _run(
        "CREATE TEMP TABLE value_tmp_o AS SELECT customer_id, COUNT(*) AS n, "
        "ROUND(SUM(amount), 2) AS rev, MIN(signed_on) AS first_o, MAX(signed_on) AS last_o "
        f"FROM opportunities_order WHERE status IN ({statuses}) GROUP BY customer_id"
    )
    _run(
        "CREATE TEMP TABLE value_tmp_r AS SELECT customer_id, n, rev, first_o, last_o, "
        "ROUND(rev * 1.0 / n, 2) AS aov, "
        "RANK() OVER (ORDER BY last_o) - 1 AS r_below, COUNT(*) OVER (PARTITION BY last_o) AS r_eq, "
        "RANK() OVER (ORDER BY n) - 1 AS f_below, COUNT(*) OVER (PARTITION BY n) AS f_eq, "
        "RANK() OVER (ORDER BY rev) - 1 AS m_below, COUNT(*) OVER (PARTITION BY rev) AS m_eq, "
        "COUNT(*) OVER () AS total FROM value_tmp_o"
    )
    _run("CREATE UNIQUE INDEX value_tmp_r_pk ON value_tmp_r (customer_id)")
    _run(
        "CREATE TEMP TABLE value_tmp_i AS SELECT customer_id, method, COUNT(*) AS n, "
        "SUM(CASE WHEN occurred_at >= %(recent)s THEN 1 ELSE 0 END) AS recent "
        "FROM interactions_interaction GROUP BY customer_id, method",
        p,
    )
    _run(
        "CREATE TEMP TABLE value_tmp_ch AS SELECT customer_id, method, recent FROM ("
        "SELECT customer_id, method, SUM(recent) OVER (PARTITION BY customer_id) AS recent, "
        "ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY n DESC, method) AS rn "
        "FROM value_tmp_i) t WHERE rn = 1"
    )
    _run("CREATE UNIQUE INDEX value_tmp_ch_pk ON value_tmp_ch (customer_id)")
    _run(
        "CREATE TEMP TABLE value_tmp_p AS SELECT customer_id, product, SUM(n) AS n FROM ("
        "SELECT o.customer_id, l.product, COUNT(*) AS n FROM opportunities_orderline l "
        "JOIN opportunities_order o ON o.id = l.order_id "
        f"WHERE o.status IN ({statuses}) GROUP BY o.customer_id, l.product "
        "UNION ALL SELECT op.customer_id, pr.name, COUNT(*) FROM opportunities_opportunityline ol "
        "JOIN opportunities_opportunity op ON op.id = ol.opportunity_id "
        "JOIN opportunities_product pr ON pr.id = ol.product_id GROUP BY op.customer_id, pr.name"
        ") u GROUP BY customer_id, product"
    )
    joined = "string_agg(product, '、' ORDER BY rn)" if _pg() else "group_concat(product, '、')"
    _run(
        f"CREATE TEMP TABLE value_tmp_pt AS SELECT customer_id, {joined} AS products FROM ("
        "SELECT customer_id, product, ROW_NUMBER() OVER (PARTITION BY customer_id "
        "ORDER BY n DESC, product) AS rn FROM value_tmp_p ORDER BY customer_id, rn) t "
        "WHERE rn <= 3 GROUP BY customer_id"
    )
    _run("CREATE UNIQUE INDEX value_tmp_pt_pk ON value_tmp_pt (customer_id)")


def _medians(p: dict[str, Any]) -> dict[str, Any]:
    total = _one("SELECT COUNT(*) FROM value_tmp_r")
    if not total:
        return {"frequency": None, "aov": None, "tenure_days": None}
    at = total // 2

    def nth(column: str, order: str) -> Any:
        return _one(f"SELECT {column} FROM value_tmp_r ORDER BY {order} LIMIT 1 OFFSET {at}", p)

    first = nth(_days_since("first_o"), "first_o DESC")
    return {
        "frequency": float(nth("n", "n")),
        "aov": float(nth("aov", "aov")),
        "tenure_days": float(first),
    }


def _octant_sql(cfg: Any) -> str:
    if cfg.frequency is None:
        return "''"
    tenure = _days_since("COALESCE(r.first_o, c.first_contact_date, date(c.created_at))")
    bits = (
        f"(CASE WHEN r.n > {float(cfg.frequency)} THEN 4 ELSE 0 END + "
        f"CASE WHEN r.aov > {float(cfg.aov)} THEN 2 ELSE 0 END + "
        f"CASE WHEN {tenure} > {float(cfg.tenure_days)} THEN 1 ELSE 0 END)"
    )
    whens = " ".join(
        f"WHEN {f * 4 + m * 2 + t} THEN '{code}'" for code, (f, m, t) in OCTANTS.items()
    )
    return f"CASE WHEN r.n IS NULL THEN '' ELSE CASE {bits} {whens} END END"


def _build(cfg: Any, p: dict[str, Any]) -> None:
    tenure = _days_since("COALESCE(r.first_o, c.first_contact_date, date(c.created_at))")
    _run(
        "CREATE TEMP TABLE value_tmp_new AS SELECT c.id AS customer_id, "
        "r.first_o AS first_order_date, r.last_o AS last_order_date, "
        "COALESCE(r.n, 0) AS order_count, COALESCE(r.rev, 0) AS revenue, "
        "COALESCE(r.aov, 0) AS avg_order_value, "
        f"{_quintile('r')} AS r, {_quintile('f')} AS f, {_quintile('m')} AS m, "
        f"{_octant_sql(cfg)} AS octant, "
        "CASE WHEN c.status = 'lost' THEN 'lost' "
        "WHEN COALESCE(r.first_o, c.first_contact_date, date(c.created_at)) >= %(new_d)s "
        "THEN 'new' "
        "WHEN r.last_o >= %(active_d)s OR c.last_interaction_at >= %(active_dt)s THEN 'active' "
        "WHEN r.last_o >= %(dormant_d)s OR c.last_interaction_at >= %(dormant_dt)s "
        "THEN 'dormant' ELSE 'lost' END AS lifecycle, "
        f"CASE WHEN COALESCE(ch.recent, 0) >= {int(cfg.interaction_high)} THEN 'high' "
        f"WHEN COALESCE(ch.recent, 0) >= {int(cfg.interaction_medium)} THEN 'medium' "
        "ELSE 'low' END AS interaction_level, "
        "COALESCE(ch.method, '') AS channel_preference, "
        "COALESCE(pt.products, '') AS product_interest, "
        f"CASE WHEN {tenure} < 365 THEN 'lt1y' WHEN {tenure} < 1095 THEN '1to3y' "
        "ELSE 'gt3y' END AS tenure_band, "
        "CASE WHEN r.n IS NULL THEN '' "
        f"WHEN r.n >= {int(cfg.repurchase_high)} THEN 'high' "
        f"WHEN r.n >= {int(cfg.repurchase_medium)} THEN 'medium' ELSE 'low' END "
        "AS repurchase_level "
        "FROM customers_customer c LEFT JOIN value_tmp_r r ON r.customer_id = c.id "
        "LEFT JOIN value_tmp_ch ch ON ch.customer_id = c.id "
        "LEFT JOIN value_tmp_pt pt ON pt.customer_id = c.id",
        p,
    )
    _run("CREATE UNIQUE INDEX value_tmp_new_pk ON value_tmp_new (customer_id)")


def _changes() -> list[tuple[int, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.customer_id, v.lifecycle, n.lifecycle FROM value_tmp_new n "
            "JOIN value_customervalue v ON v.customer_id = n.customer_id "
            "WHERE v.lifecycle <> '' AND v.lifecycle <> n.lifecycle"
        )
        return [(int(a), str(b), str(c)) for a, b, c in cursor.fetchall()]


def _upsert(cfg: Any, computed_at: Any) -> int:
    grade = " ".join(f"WHEN '{code}' THEN '{g}'" for code, g in cfg.grades.items() if code)
    grade_sql = f"CASE octant {grade} ELSE '{cfg.grades.get('', 'C')}' END"
    select = (
        "SELECT customer_id, first_order_date, last_order_date, order_count, revenue, "
        "avg_order_value, r, f, m, r + f + m, octant, "
        f"{grade_sql}, lifecycle, interaction_level, channel_preference, product_interest, "
        "tenure_band, repurchase_level, %(at)s FROM value_tmp_new "
        "WHERE customer_id > %(lo)s AND customer_id <= %(hi)s"
    )
    update = ", ".join(f"{col} = excluded.{col}" for col in COLUMNS)
    sql = (
        f"INSERT INTO value_customervalue (customer_id, {', '.join(COLUMNS)}) {select} "
        f"ON CONFLICT (customer_id) DO UPDATE SET {update}"
    )
    top = _one("SELECT MAX(customer_id) FROM value_tmp_new") or 0
    low = 0
    while low < top:
        with transaction.atomic():
            _run(sql, {"at": computed_at, "lo": low, "hi": low + UPSERT_BATCH})
        low += UPSERT_BATCH
    return int(_one("SELECT COUNT(*) FROM value_tmp_new") or 0)


def values_recompute_all(*, now: datetime | None = None, audit: bool = True) -> dict[str, Any]:
    """Every customer's row; lifecycle changes (of rows that had one) become audit entries."""
    started = time.monotonic()
    now = now or timezone.now()
    today = timezone.localdate(now)
    ops = connection.ops
    row = settings_row()
    cfg = config_load(row)

    def dt(days: int) -> Any:
        return ops.adapt_datetimefield_value(now - timedelta(days=days))

    def d(days: int) -> Any:
        return ops.adapt_datefield_value(today - timedelta(days=days))

    p = {
        "today": ops.adapt_datefield_value(today),
        "recent": dt(cfg.interaction_days),
        "new_dt": dt(cfg.new_days),
        "new_d": d(cfg.new_days),
        "active_dt": dt(cfg.active_days),
        "active_d": d(cfg.active_days),
        "dormant_dt": dt(cfg.dormant_days),
        "dormant_d": d(cfg.dormant_days),
    }
    _drop()
    try:
        _aggregate(p)
        medians = _medians(p)
        cfg = config_load(row, medians)
        _build(cfg, p)
        changes = _changes()
        count = _upsert(cfg, ops.adapt_datetimefield_value(now))
        if audit and changes:
            lifecycle_changes_record(changes)
    finally:
        _drop()
    type(row).objects.filter(pk=row.pk).update(
        median_frequency=medians["frequency"],
        median_aov=medians["aov"],
        median_tenure_days=medians["tenure_days"],
    )
    result = {"customers": count, "lifecycle_changes": len(changes),
              "seconds": round(time.monotonic() - started, 1)}  # fmt: skip
    logger.info("Customer values recomputed: %s", result)
    return result
