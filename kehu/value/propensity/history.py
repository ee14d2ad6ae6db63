"""The company's history as numpy arrays, read once per training (set-based, in chunks).

Days are whole days since 1970-01-01 (UTC), computed by the database, so 10,000,000
interactions never become 10,000,000 Python datetimes. Cancelled orders are left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.db import connection

from kehu.interactions.models import Interaction

EPOCH = date(1970, 1, 1)
CHUNK = 200_000
METHODS = [m.value for m in Interaction.Method]
FEEDBACKS = [f.value for f in Interaction.Feedback]
TAG_TYPES = ["need", "value", "risk", "channel"]


def day_number(day: date) -> int:
    return (day - EPOCH).days


def _days(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column}) / 86400) AS INTEGER)"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _date_days(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _case(column: str, values: list[str]) -> str:
    whens = " ".join(f"WHEN '{v}' THEN {i}" for i, v in enumerate(values))
    return f"CASE {column} {whens} ELSE -1 END"


def _fetch(sql: str, width: int, dtype: type = np.int64) -> np.ndarray:
    parts: list[np.ndarray] = []
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while True:
            rows = cursor.fetchmany(CHUNK)
            if not rows:
                break
            parts.append(np.array(rows, dtype=dtype).reshape(-1, width))
    return np.concatenate(parts) if parts else np.zeros((0, width), dtype=dtype)


@dataclass
class History:
    customer_ids: np.ndarray  # sorted
    start_day: np.ndarray  # first contact (else the creation), per customer
    order_idx: np.ndarray
    order_day: np.ndarray
    order_amount: np.ndarray
    inter_idx: np.ndarray
    inter_day: np.ndarray
    inter_method: np.ndarray
    inter_feedback: np.ndarray
    tag_idx: dict[str, np.ndarray] = field(default_factory=dict)
    tag_day: dict[str, np.ndarray] = field(default_factory=dict)
    task_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    task_open_day: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    task_done_day: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def size(self) -> int:
        return len(self.customer_ids)

    def first_order_day(self) -> int | None:
        return int(self.order_day.min()) if len(self.order_day) else None


NEVER = 10**7  # a day far in the future: a task not done yet


def history_load() -> History:
    customers = _fetch(
        "SELECT id, COALESCE("
        + _date_days("first_contact_date")
        + ", "
        + _days("created_at")
        + ") FROM customers_customer ORDER BY id",
        2,
    )
    ids = customers[:, 0]

    def idx(column: np.ndarray) -> np.ndarray:
        return np.searchsorted(ids, column)

    orders = _fetch(
        "SELECT customer_id, "
        + _date_days("signed_on")
        + ", CAST(amount AS REAL) FROM opportunities_order WHERE status <> 'cancelled'",
        3,
        dtype=np.float64,
    )
    inter = _fetch(
        "SELECT customer_id, "
        + _days("occurred_at")
        + ", "
        + _case("method", METHODS)
        + ", "
        + _case("feedback", FEEDBACKS)
        + " FROM interactions_interaction",
        4,
    )
    history = History(
        customer_ids=ids,
        start_day=customers[:, 1],
        order_idx=idx(orders[:, 0].astype(np.int64)),
        order_day=orders[:, 1].astype(np.int64),
        order_amount=orders[:, 2],
        inter_idx=idx(inter[:, 0]),
        inter_day=inter[:, 1],
        inter_method=inter[:, 2],
        inter_feedback=inter[:, 3],
    )
    for code in TAG_TYPES:
        tags = _fetch(
            "SELECT ct.customer_id, "
            + _days("ct.added_at")
            + " FROM tags_customertag ct JOIN tags_tag t ON t.id = ct.tag_id"
            " JOIN tags_tagtype tt ON tt.id = t.type_id WHERE tt.code = '" + code + "'",
            2,
        )
        history.tag_idx[code] = idx(tags[:, 0])
        history.tag_day[code] = tags[:, 1]
    tasks = _fetch(
        "SELECT customer_id, "
        + _days("created_at")
        + ", COALESCE("
        + _days("done_at")
        + f", {NEVER}) FROM interactions_followup",
        3,
    )
    history.task_idx = idx(tasks[:, 0])
    history.task_open_day = tasks[:, 1]
    history.task_done_day = tasks[:, 2]
    return history
