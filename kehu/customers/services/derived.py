"""What follows from a customer and its contacts: completeness, the 待补全 mark, reachability,
the search entries. Every write of a customer or a contact ends here."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.contacts.models import Contact
from kehu.contacts.selectors import decision_maker_of
from kehu.core.errors import ValidationFailed
from kehu.core.normalize import is_registered_full_name
from kehu.core.search_index import search_index_contact, search_index_customer

from ..models import Customer
from ..validators import ABBREVIATED_NAME, PHONE_UNUSABLE, completeness_of


def customer_refresh_quality(customer: Customer, *, save: bool = True) -> None:
    """Recompute completeness, missing fields and the 待补全 mark from the record and its contacts."""
    contacts = list(customer.contacts.all())  # one read, prefetched or not
    maker = decision_maker_of(contacts)
    facts = {
        "name": bool(customer.name),
        "industry": customer.industry_id is not None,
        "size": bool(customer.size),
        "decision_maker_name": bool(maker and maker.name),
        "decision_maker_title": bool(maker and maker.title),
        "decision_maker_phone": bool(maker and (maker.mobile or maker.landline)),
        "source": customer.source_id is not None,
        "first_contact_date": customer.first_contact_date is not None,
        "status": bool(customer.status),
        "owner": customer.owner_id is not None,
        "address": bool(customer.address),
        "region": bool(customer.province or customer.city),
        "credit_code": bool(customer.credit_code) or customer.kind == Customer.Kind.INDIVIDUAL,
        "budget": customer.budget_amount is not None or bool(customer.budget_band),
        "email": bool(customer.email) or any(c.email for c in contacts),
    }
    score, missing = completeness_of(facts)
    if customer.phone_unusable or any(c.phone_unusable for c in contacts):
        missing.append(PHONE_UNUSABLE)  # kept aside by an import: someone must ask for it
    # A company known by an abbreviation (腾讯 for 深圳市腾讯计算机系统有限公司): ask for the
    # registered full name. Individuals are known by their own names.
    abbreviated = customer.kind == Customer.Kind.COMPANY and customer.name
    if abbreviated and not is_registered_full_name(customer.name):
        missing.append(ABBREVIATED_NAME)
    customer.completeness = score
    customer.missing_fields = missing
    if missing:
        if customer.quality == Customer.Quality.COMPLETE:
            customer.quality = Customer.Quality.INCOMPLETE
        elif customer.quality not in (Customer.Quality.NEEDS_INFO, Customer.Quality.TO_VERIFY):
            customer.quality = Customer.Quality.INCOMPLETE
    elif customer.quality in (Customer.Quality.INCOMPLETE, Customer.Quality.NEEDS_INFO):
        customer.quality = Customer.Quality.COMPLETE
    if not missing:
        customer.incomplete_since = None
    elif customer.incomplete_since is None:
        customer.incomplete_since = timezone.now()  # the freshness rules count from here
    if save:
        Customer.objects.filter(pk=customer.pk).update(
            completeness=score,
            missing_fields=missing,
            quality=customer.quality,
            incomplete_since=customer.incomplete_since,
        )


def assert_reachable(customer: Customer) -> None:
    """A customer needs a phone, an e-mail, a postal address or a reachable current contact."""
    if customer.phone or customer.email or customer.address:
        return
    reachable = (
        Contact.objects.filter(customer=customer, has_left=False)
        .filter(~Q(mobile="") | ~Q(landline="") | ~Q(email="") | ~Q(wechat=""))
        .exists()
    )
    if not reachable:
        raise ValidationFailed(
            {
                "contact": [
                    _(
                        "Give at least one way to reach the customer: a contact's phone, "
                        "e-mail or WeChat id, or a postal address."
                    )
                ]
            }
        )


def customer_reindex(customer: Customer, *, contacts: bool = True) -> None:
    """Keep the search index in step: the customer and its contacts (they show its name).
    `contacts=False` when the name did not change: a contact's document takes nothing else from
    its customer but the scope, which search_index_customer carries to every document."""
    search_index_customer(customer)
    if not contacts:
        return
    for contact in customer.contacts.all():
        search_index_contact(contact)
