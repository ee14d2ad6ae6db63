"""kehu value_recompute [--customer NO …] [--enqueue]: recompute the customer value rows (all,
set-based; or the customers named)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kehu.customers.models import Customer
from kehu.value.services.nightly import values_recompute_all
from kehu.value.services.single import values_recompute
from kehu.value.tasks import value_nightly


class Command(BaseCommand):
    help = "Recompute customer value, RFM, octant, grade and lifecycle (all customers or some)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--customer", action="append", default=[], help="customer number")
        parser.add_argument("--enqueue", action="store_true", help="queue it for the worker")

    def handle(self, *args: Any, **options: Any) -> None:
        numbers = [n.strip().upper() for n in options["customer"] if n.strip()]
        if numbers:
            found = dict(
                Customer.objects.filter(customer_no__in=numbers).values_list("customer_no", "pk")
            )
            missing = [n for n in numbers if n not in found]
            if missing:
                raise CommandError(f"Unknown customer: {', '.join(missing)}")
            count = values_recompute(found.values())
            self.stdout.write(f"{count} customers recomputed")
            return
        if options["enqueue"]:
            result = value_nightly.enqueue()
            self.stdout.write(f"queued {result.id}")
            return
        self.stdout.write(str(values_recompute_all()))
