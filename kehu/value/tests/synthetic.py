"""A synthetic history with a real signal, for the tests and bench/propensity.py.

Each customer starts within the first half year of `years`, then orders (1-4 a year) and is
contacted (about 6 times a year) until a day it leaves (exponential, mean 2 years) or today; so
recency and frequency really do predict churn and repurchase. Bulk inserts, no services: the
history is the input the models read, nothing else."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from kehu.core.bulk import insert_rows
from kehu.customers.models import Customer
from kehu.interactions.models import Interaction
from kehu.opportunities.models import Order

METHODS = [m.value for m in Interaction.Method]
FEEDBACKS = [f.value for f in Interaction.Feedback] + [""]
BATCH = 5000


def _events(rng: np.random.Generator, start: int, end: int, per_year: float) -> np.ndarray:
    if end <= start:
        return np.zeros(0, dtype=np.int64)
    count = rng.poisson(per_year * (end - start) / 365)
    return np.sort(rng.integers(start, end, count))


def history_synthesize(
    *,
    customers: int,
    today: date,
    owner: Any,
    team: Any,
    years: float = 3.0,
    seed: int = 17,
    prefix: str = "SY",
    with_history: bool = True,
) -> list[int]:
    """Insert `customers` customers with their orders and interactions; returns their ids."""
    rng = np.random.default_rng(seed)
    span = int(years * 365)
    first = today - timedelta(days=span)
    ids: list[int] = []
    for block in range(0, customers, BATCH):
        size = min(BATCH, customers - block)
        rows = [
            Customer(
                customer_no=f"{prefix}{block + k:09d}",
                name=f"合成客户{prefix}{block + k}",
                name_normalized=f"合成客户{prefix}{block + k}",
                owner=owner,
                team=team,
            )
            for k in range(size)
        ]
        orders, interactions = [], []
        with transaction.atomic():
            created = Customer.objects.bulk_create(rows)
            for k, customer in enumerate(created):
                start = int(rng.integers(0, 182))
                leave = start + int(rng.exponential(730))
                end = min(leave, span)
                rate = float(rng.choice([1.0, 2.0, 4.0]))
                if not with_history:
                    continue
                number = block + k
                for j, day in enumerate(_events(rng, start, end, rate)):
                    orders.append(
                        Order(
                            customer=customer,
                            order_no=f"{prefix}O{number:09d}{j:03d}",
                            signed_on=first + timedelta(days=int(day)),
                            amount=float(rng.choice([5000, 10000, 50000, 120000])),
                        )
                    )
                for j, day in enumerate(_events(rng, start, end, 6.0)):
                    moment = datetime.combine(first + timedelta(days=int(day)), time(10))
                    interactions.append(
                        Interaction(
                            customer=customer,
                            interaction_no=f"{prefix}I{number:09d}{j:03d}",
                            occurred_at=timezone.make_aware(moment),
                            method=METHODS[int(rng.integers(0, len(METHODS)))],
                            feedback=FEEDBACKS[int(rng.integers(0, len(FEEDBACKS)))],
                            topic="回访",
                        )
                    )
            insert_rows(Order, orders, with_ids=False)  # COPY on PostgreSQL
            insert_rows(Interaction, interactions, with_ids=False)
        ids.extend(c.pk for c in created)
    return ids
