"""Whole-database duplicate scan: normalise every customer, block, score with Splink on DuckDB.

scan_customers() is the one code path: the CLI (kehu dedupe_scan), the background task and the
benchmark all call it. It reads the customers and their contacts with two plain queries,
normalises them (kehu.customers.matching.features, the one normaliser kehu.core.normalize), and
lets Splink score the candidate pairs that share a blocking key (credit code, phone, e-mail, name,
contact person in the city, street in the city; an individual's name or address parts) with the
levels and weights of kehu.customers.matching.weights, which the on-save check uses too.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection

from kehu.customers.matching.candidates import MAX_SHARED_VALUE
from kehu.customers.matching.features import DERIVED_SQL, Features, range_features
from kehu.customers.matching.weights import (
    BLOCKING_RULES,
    FIELDS,
    explain_levels,
    splink_settings,
)

Progress = Callable[[int, str], None]


@dataclass
class CandidatePair:
    id_a: int
    id_b: int
    score: float  # match probability, 0..1
    weight: float  # match weight (log2 odds)
    levels: dict[str, float] = field(default_factory=dict)  # field -> match weight

    def explanation(self) -> list[dict[str, Any]]:
        return explain_levels(self.levels)


# --- Reading and normalising (kehu.customers.matching.features).

PARALLEL_FROM = 50_000  # records; below this, one process normalises faster than two start


def _range_table(bounds: tuple[int, int]) -> Any:
    """Features of the customers with lo <= id < hi, as an Arrow table.

    The cyclic garbage collector is off meanwhile: a range makes millions of small acyclic
    objects (rows, their lists and strings), all dropped once the Arrow table exists, and the
    collector's passes over them found nothing and cost about a third of the time (1,000,000
    customers: ~30 CPU-s of the scan's ~137)."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return range_features(*bounds).to_arrow()
    finally:
        if enabled:
            gc.enable()


def _range_table_in_worker(bounds: tuple[int, int]) -> Any:
    from django.db import connections

    try:
        return _range_table(bounds)
    finally:
        connections.close_all()  # each worker reads through its own connection


def scan_table(*, progress: Progress | None = None) -> Any:
    """Every customer's features as one Arrow table; big tables in one forked worker per core.

    Each worker reads and normalises a range of ids through its own database connection, so
    reading and normalising both use every core, and only Arrow tables come back.
    """
    import multiprocessing
    import os

    import pyarrow as pa

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id), count(*) FROM customers_customer")
        lo, hi, count = cursor.fetchone()
    if not count:
        return Features().to_arrow()
    workers = min(os.cpu_count() or 1, 8)
    if count < PARALLEL_FROM or workers < 2:
        return _range_table((lo, hi + 1))
    parts_wanted = workers * 4
    step = -(-(hi + 1 - lo) // parts_wanted)
    ranges = [(start, min(start + step, hi + 1)) for start in range(lo, hi + 1, step)]
    from django.db import connections

    connections.close_all()  # the workers must not share the parent's connection
    parts = []
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for index, part in enumerate(pool.imap(_range_table_in_worker, ranges), start=1):
            parts.append(part)
            if progress:
                progress(int(count * index / len(ranges)), "normalising")
    return pa.concat_tables(parts)


# --- Scoring.


def _blocking_rules() -> list[Any]:
    from splink import block_on

    return [
        block_on(*columns, arrays_to_explode=list(explode) or None)
        for columns, explode in BLOCKING_RULES
    ]


def score_features(
    features: Features, *, threshold: float, progress: Progress | None = None
) -> list[CandidatePair]:
    """Candidate pairs among `features` at or above `threshold`, lower id first."""
    return score_table(features.to_arrow(), threshold=threshold, progress=progress)


def _without_common_values(con: Any) -> None:
    """Phones and e-mails shared by too many records identify nobody: filter them out."""
    common = {}
    for column in ("phone_bases", "emails"):
        rows = con.execute(
            f"SELECT v FROM (SELECT unnest({column}) AS v FROM raw_customers) "
            f"GROUP BY v HAVING count(*) > {MAX_SHARED_VALUE}"
        ).fetchall()
        common[column] = [r[0] for r in rows]
    replace = []
    if common["phone_bases"]:
        phones = (
            "[" + ",".join("'" + v.replace("'", "''") + "'" for v in common["phone_bases"]) + "]"
        )
        for column in ("phones", "phone_bases", "mobiles"):
            replace.append(
                f"list_filter({column}, lambda x: NOT list_contains({phones}, split_part(x, ';', 1))) "
                f"AS {column}"
            )
    if common["emails"]:
        emails = "[" + ",".join("'" + v.replace("'", "''") + "'" for v in common["emails"]) + "]"
        for column in ("emails", "personal_emails"):
            replace.append(
                f"list_filter({column}, lambda x: NOT list_contains({emails}, x)) AS {column}"
            )
    select = f"SELECT * REPLACE ({', '.join(replace)})" if replace else "SELECT *"
    con.execute(f"CREATE TABLE customers_for_dedupe AS {select} FROM raw_customers")


def score_table(
    table: Any, *, threshold: float, progress: Progress | None = None
) -> list[CandidatePair]:
    """Candidate pairs in an Arrow feature table at or above `threshold` (match probability)."""
    if table.num_rows < 2:
        return []
    import duckdb
    from splink import DuckDBAPI, Linker

    con = duckdb.connect(":memory:")
    threads = getattr(settings, "KEHU_DEDUPE_THREADS", 0)
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.register("features", table)
    # The list columns derived from phones, e-mails and contacts, on the whole table at once.
    con.execute(
        f"CREATE TEMP VIEW raw_customers AS SELECT *, {', '.join(DERIVED_SQL)} FROM features"
    )
    _without_common_values(con)
    con.execute("DROP VIEW raw_customers")
    con.unregister("features")
    del table
    db_api = DuckDBAPI(connection=con)
    source = db_api.register("customers_for_dedupe")
    config = splink_settings()
    config["blocking_rules_to_generate_predictions"] = _blocking_rules()
    logging.getLogger("splink").setLevel(logging.ERROR)  # e.g. "no null level" for identity
    linker = Linker(source, config, log_level=None)
    if progress:
        progress(0, "scoring")
    predictions = linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )
    weight_columns = [f"mw_{f.name}" for f in FIELDS]
    sql = (
        "SELECT unique_id_l, unique_id_r, match_probability, match_weight, "
        + ", ".join(weight_columns)
        + f" FROM {predictions.physical_name}"
    )
    rows = con.execute(sql).fetchall()
    pairs: list[CandidatePair] = []
    seen: set[tuple[int, int]] = set()
    for row in rows:
        a, b = sorted((int(row[0]), int(row[1])))
        if (a, b) in seen:
            continue
        seen.add((a, b))
        levels = {f.name: float(w) for f, w in zip(FIELDS, row[4:], strict=True)}
        pairs.append(CandidatePair(a, b, float(row[2]), float(row[3]), levels))
    con.close()
    # Splink's objects hold the connection in reference cycles: freed by the collector only,
    # DuckDB's threads (one per core) and memory would stay in a long-lived worker until then,
    # and a process forked meanwhile (an import's workers) inherits them.
    del predictions, linker, source, db_api, con
    gc.collect()
    pairs.sort(key=lambda p: (p.id_a, p.id_b))
    return pairs


def scan_customers(
    *, threshold: float | None = None, progress: Progress | None = None
) -> list[CandidatePair]:
    """Every candidate duplicate pair in the database at or above the threshold."""
    if threshold is None:
        threshold = settings.KEHU_DEDUPE_SCAN_THRESHOLD
    return score_table(scan_table(progress=progress), threshold=threshold, progress=progress)
