"""Reading tags."""

from __future__ import annotations

from kehu.customers.models import Customer

from .models import CustomerTag


def tag_names_for(customer: Customer) -> list[str]:
    return list(
        CustomerTag.objects.filter(customer=customer)
        .order_by("tag__name")
        .values_list("tag__name", flat=True)
    )


def customer_has_tag(customer: Customer, name: str) -> bool:
    return CustomerTag.objects.filter(customer=customer, tag__name=name.strip()).exists()
