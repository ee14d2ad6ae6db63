"""Products and quantities on an opportunity (issue 16): the lines add up to its amount."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kehu.core.cleaning import FieldCleaner
from kehu.core.validators import parse_amount

from ..models import Opportunity, OpportunityLine, Product

MAX_QUANTITY = Decimal("1e10")
MAX_AMOUNT = Decimal("1e12")


def product_lookup(raw: Any) -> Product | None:
    """An active product by its code, or its id."""
    text = str(raw or "").strip()
    if not text:
        return None
    products = Product.objects.filter(is_active=True)
    found = products.filter(code=text).first()
    if found is None and text.isdecimal() and text.isascii() and int(text) < 2**63:
        found = products.filter(pk=int(text)).first()
    return found


def opportunity_lines_clean(raw_lines: Any) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """[{product: code or id, quantity (default 1), unit_price (default the list price)}]."""
    if not isinstance(raw_lines, list):
        return [], {"lines": [_("Lines must be a list.")]}
    errors: dict[str, list[str]] = {}
    lines: list[dict[str, Any]] = []
    for index, raw in enumerate(raw_lines):
        if not isinstance(raw, dict):
            errors[f"lines[{index}]"] = [_("Each line must be an object.")]
            continue
        c = FieldCleaner(raw, prefix=f"lines[{index}].")
        product = product_lookup(raw.get("product"))
        if product is None:
            c.error("product", _("Choose a product of the catalogue."))
        c.field("quantity", parse_amount, empty=Decimal("1"))
        c.field("unit_price", parse_amount, empty=None)
        quantity = c.values.get("quantity", Decimal("1"))
        price = c.values.get("unit_price")
        if price is None and product is not None:
            price = product.unit_price
        if not quantity:
            c.error("quantity", _("The quantity must be more than 0."))
        elif quantity >= MAX_QUANTITY:
            c.error("quantity", _("The quantity is too large."))
        amount = (price * quantity).quantize(Decimal("0.01")) if price is not None else None
        if amount is not None and amount >= MAX_AMOUNT:
            c.error("unit_price", _("The line amount is too large."))
        errors.update(c.errors)
        if not c.errors:
            lines.append(
                {"product": product, "quantity": quantity, "unit_price": price, "amount": amount}
            )
    total = sum((line["amount"] for line in lines), Decimal("0"))
    if not errors and total >= MAX_AMOUNT:
        errors["lines"] = [_("The lines add up to more than the largest amount.")]
    return lines, errors


def opportunity_lines_write(opportunity: Opportunity, lines: list[dict[str, Any]]) -> Decimal:
    """Replace the opportunity's lines; returns their total (its new expected amount)."""
    opportunity.lines.all().delete()
    OpportunityLine.objects.bulk_create(
        [OpportunityLine(opportunity=opportunity, **line) for line in lines]
    )
    return sum((line["amount"] for line in lines), Decimal("0"))


def lines_snapshot(opportunity: Opportunity) -> list[str]:
    """The lines as the change log keeps them: '产品 × 2' (prices stay out: the log is read by
    those who see amounts only as bands too)."""
    return [
        f"{line.product.name} × {line.quantity.normalize():f}"
        for line in opportunity.lines.select_related("product")
    ]
