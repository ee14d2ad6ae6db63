"""Test data for kehu.value: customers, orders and interactions written directly (fast)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kehu.customers.models import Customer
from kehu.interactions.models import Interaction
from kehu.opportunities.models import Order, OrderLine

_numbers = itertools.count(1)


def order(customer: Customer, amount: Any, signed_on: date, status: str = "signed",
          product: str = "") -> Order:  # fmt: skip
    o = Order.objects.create(
        order_no=f"DDT{next(_numbers):06d}",
        customer=customer,
        signed_on=signed_on,
        amount=Decimal(str(amount)),
        status=status,
    )
    if product:
        OrderLine.objects.create(
            order=o, product=product, unit_price=o.amount, amount=o.amount, quantity=1
        )
    return o


def interaction(customer: Customer, when: datetime, method: str = "phone") -> Interaction:
    return Interaction.objects.create(
        interaction_no=f"GJT{next(_numbers):06d}",
        customer=customer,
        occurred_at=when,
        method=method,
    )


def aged(customer: Customer, days: int) -> Customer:
    """Make the customer `days` old (created_at in the past)."""
    Customer.objects.filter(pk=customer.pk).update(created_at=timezone.now() - timedelta(days=days))
    customer.refresh_from_db()
    return customer
