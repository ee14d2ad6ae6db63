"""Reading tags: a customer's tags with where each came from, and who may tag a customer."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.policy import can_change
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get_for

from .models import CustomerTag

# Marketing owns the tags (the requirements): marketing and support tag the customers they may
# see; everyone else the customers they may change.
SEEING_TAGGERS = frozenset({Role.MARKETING, Role.SUPPORT})


def customer_for_tagging(user: User | Any, customer_no: str) -> Customer:
    """The customer if the user may tag it: 404 when invisible, 403 when only readable."""
    for_change = getattr(user, "role", None) not in SEEING_TAGGERS
    return customer_get_for(user, customer_no, for_change=for_change)


def can_tag(user: User | Any, customer: Customer) -> bool:
    if getattr(user, "role", None) in SEEING_TAGGERS:
        return True  # the caller has the customer through a scoped read
    return bool(can_change(user, customer))


def tag_names_for(customer: Customer) -> list[str]:
    return list(
        CustomerTag.objects.filter(customer=customer)
        .order_by("tag__name")
        .values_list("tag__name", flat=True)
    )


def customer_has_tag(customer: Customer, name: str) -> bool:
    return CustomerTag.objects.filter(customer=customer, tag__name=name.strip()).exists()


def provenance(link: CustomerTag) -> str:
    """人工·张三 / 关键词规则「预算有限」 / 导入「…」 / 工作流「…」."""
    if link.source == CustomerTag.Source.USER:
        who = link.added_by.label if link.added_by else _("a former user")
        return f"{link.get_source_display()}·{who}"
    label = link.get_source_display()
    return f"{label}「{link.source_label}」" if link.source_label else str(label)


def tag_items_for(customer: Customer) -> list[dict[str, Any]]:
    """Every tag on the customer with its type and where it came from, for the API and page."""
    links = (
        CustomerTag.objects.filter(customer=customer)
        .select_related("tag", "tag__type", "added_by")
        .order_by("tag__type__position", "tag__type_id", "tag__name")
    )
    return [
        {
            "tag": link.tag.name,
            "type": link.tag.type.name if link.tag.type else "",
            "type_code": link.tag.type.code if link.tag.type else "",
            "exclusive_group": link.tag.exclusive_group,
            "source": link.source,
            "source_label": link.source_label,
            "applied_by": link.added_by.label if link.added_by else "",
            "provenance": provenance(link),
            "added_at": timezone.localtime(link.added_at),
            "note": link.note,
            "evidence": link.evidence,
            "last_triggered_at": timezone.localtime(link.last_triggered_at)
            if link.last_triggered_at
            else None,
        }
        for link in links
    ]
