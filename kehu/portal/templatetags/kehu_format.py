"""Display filters: phones as people read them (11 digits for Chinese mobiles)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.accounts.policy import (
    CALL_FIELDS,
    can_reveal_pii,
    can_reveal_to_call,
    can_see_pii,
    sees_amount_bands,
)
from kehu.audit.services import tombstone_shown
from kehu.core.validators import amount_band, format_phone
from kehu.customers.display import status_reason_label
from kehu.customers.masking import PII_FIELDS, customer_of, free_text_shown, pii_value
from kehu.customers.matching.labels import reasons_shown
from kehu.customers.models import Customer
from kehu.portal.labels import feedback_label, stage_label

register = template.Library()


@register.filter(name="erased")
def erased(value: Any) -> Any:
    """A name or text as stored, the erasure marker in the reader's language (已抹除)."""
    return tombstone_shown(value)


@register.filter(name="phone")
def phone(value: str) -> str:
    return format_phone(value or "")


@register.filter(name="feedback_label")
def feedback_label_filter(value: str) -> str:
    return str(feedback_label(value)) if value else ""


@register.filter(name="status_reason")
def status_reason_filter(value: str) -> str:
    return status_reason_label(value)


@register.filter(name="reasons_shown")
def reasons_shown_filter(reasons: Any) -> list[dict[str, Any]]:
    """A duplicate explanation with its fields and levels in the reader's language."""
    return reasons_shown(reasons)


PRESET_LABELS = {
    "standard": gettext_lazy("standard template"),
    "interactions": gettext_lazy("interaction template"),
}


@register.filter(name="preset_label")
def preset_label(value: str) -> str:
    """An import mapping preset as people read it (the standard template; peer systems and
    saved presets by their names)."""
    return str(PRESET_LABELS.get(value, value))


@register.filter(name="stage_label")
def stage_label_filter(value: str) -> str:
    return str(stage_label(value)) if value else ""


@register.filter(name="yuan")
def yuan(value: Decimal | int | None) -> str:
    """¥1,200,000.00: thousands grouped with commas, as Chinese business documents do."""
    if value is None or value == "":
        return ""
    return f"¥{Decimal(value):,.2f}"


@register.simple_tag(takes_context=True)
def pii(context: Any, obj: Any, field: str) -> str:
    """A phone, e-mail or id as this user may see it; masked ones get a "reveal" button."""
    user = context["request"].user
    if not getattr(obj, field):
        return ""
    shown = pii_value(user, obj, field, pretty=True)
    customer = customer_of(obj)
    if can_see_pii(user, customer):
        # Whole values are one tap away on a phone: call, or write.
        raw = str(getattr(obj, field))
        kind = PII_FIELDS.get(field)
        if kind == "phone":
            number = raw.split(";ext=")[0]
            return format_html('<a class="tel" href="tel:{}">{}</a>', number, shown)
        if kind == "email":
            return format_html('<a class="mailto" href="mailto:{}">{}</a>', raw, shown)
        return format_html("<span>{}</span>", shown)
    may_reveal = can_reveal_pii(user, customer)
    to_call = not may_reveal and field in CALL_FIELDS and can_reveal_to_call(user, customer)
    if not may_reveal and not to_call:
        return format_html("<span>{}</span>", shown)
    if isinstance(obj, Customer):
        url = reverse("customer-reveal", args=[obj.customer_no])
    else:
        url = reverse("contact-reveal", args=[obj.pk])
    if to_call:
        # Support calls a won customer: the number is shown once a reason is given (audited).
        return format_html(
            '<span class="masked">{} <details class="reveal-call"><summary class="link">{}'
            '</summary><form hx-post="{}?field={}" hx-target="closest .masked" '
            'hx-swap="outerHTML"><input type="text" name="reason" required maxlength="200" '
            'placeholder="{}" aria-label="{}"> <button type="submit" class="link reveal">{}'
            "</button></form></details></span>",
            shown,
            _("Reveal to call"),
            url,
            field,
            _("e.g. after-sales call"),
            _("reason"),
            _("Reveal"),
        )
    return format_html(
        '<span class="masked">{} <button type="button" class="link reveal" hx-post="{}?field={}" '
        'hx-target="closest .masked" hx-swap="outerHTML">{}</button></span>',
        shown,
        url,
        field,
        _("Reveal"),
    )


@register.simple_tag(takes_context=True)
def free_text(context: Any, customer: Customer, text: str) -> str:
    """A customer's notes, an interaction's summary or a task's note as this user may see it:
    the phones and e-mails in it masked unless the user sees the customer's whole (use with
    `as`, then filter: {% free_text customer customer.notes as notes %})."""
    return free_text_shown(context["request"].user, customer, text or "")


@register.simple_tag(takes_context=True)
def money(context: Any, value: Decimal | int | None) -> str:
    """Exact yuan, or a band (10-50万) for roles that see amounts only as bands."""
    if value is None or value == "":
        return ""
    if sees_amount_bands(context["request"].user):
        return amount_band(value)
    return yuan(value)
