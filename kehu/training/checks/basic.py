"""Checks of the basic stage: a customer created to the standard, an interaction logged well."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.contacts.models import Contact
from kehu.core.normalize.company import is_registered_full_name
from kehu.customers.models import Customer
from kehu.customers.validators import FIELD_LABELS
from kehu.intake.models import ImportRow
from kehu.interactions.models import Interaction

from .registry import CheckContext, CheckResult, check

CANDIDATES = 20  # the trainee's latest customers looked at for one to the standard


def _meets_standard(customer: Customer) -> bool:
    if customer.kind == Customer.Kind.COMPANY and not is_registered_full_name(customer.name):
        return False
    if customer.missing_fields:
        return False
    mobiles = Contact.objects.filter(customer=customer).values_list("mobile", flat=True)
    return any(m.startswith("+861") for m in mobiles)


def _latest_customer(context: CheckContext) -> Customer | None:
    """The customer the trainee created by hand: the latest one to the standard, else the
    latest. Imported customers (the import drill's) are not created by hand, and a drill's
    customer made after a good one (a business card's) does not hide it."""
    imported = ImportRow.objects.filter(customer_id__isnull=False).values("customer_id")
    mine = (
        Customer.objects.filter(created_by=context.trainee, created_at__gte=context.since)
        .exclude(pk__in=imported)
        .order_by("-id")
    )
    candidates = list(mine[:CANDIDATES])
    return next((c for c in candidates if _meets_standard(c)), None) or (
        candidates[0] if candidates else None
    )


def _customer_link(customer: Customer) -> str:
    return reverse("customer-detail", args=[customer.customer_no])


@check("customer_created")
def customer_created(context: CheckContext) -> CheckResult:
    customer = _latest_customer(context)
    if customer is None:
        return CheckResult(False, _("You have not created a customer in the workspace yet."))
    return CheckResult(
        True, _("Customer %(name)s created.") % {"name": customer.name}, _customer_link(customer)
    )


@check("customer_full_name")
def customer_full_name(context: CheckContext) -> CheckResult:
    customer = _latest_customer(context)
    if customer is None:
        return CheckResult(False, _("You have not created a customer in the workspace yet."))
    link = _customer_link(customer)
    if customer.kind == Customer.Kind.COMPANY and not is_registered_full_name(customer.name):
        return CheckResult(
            False,
            _("“%(name)s” is not a registered full name (e.g. 深圳市某某科技有限公司).")
            % {"name": customer.name},
            link,
        )
    return CheckResult(True, _("The name is the registered full name."), link)


@check("customer_standard_fields")
def customer_standard_fields(context: CheckContext) -> CheckResult:
    customer = _latest_customer(context)
    if customer is None:
        return CheckResult(False, _("You have not created a customer in the workspace yet."))
    link = _customer_link(customer)
    if customer.missing_fields:
        labels = "、".join(str(FIELD_LABELS.get(name, name)) for name in customer.missing_fields)
        return CheckResult(
            False, _("Required fields missing: %(fields)s") % {"fields": labels}, link
        )
    return CheckResult(True, _("Every required field is filled."), link)


@check("customer_contact_mobile")
def customer_contact_mobile(context: CheckContext) -> CheckResult:
    customer = _latest_customer(context)
    if customer is None:
        return CheckResult(False, _("You have not created a customer in the workspace yet."))
    link = _customer_link(customer)
    contacts = Contact.objects.filter(customer=customer)
    if not contacts.exists():
        return CheckResult(False, _("The customer has no contact."), link)
    # Mobiles are stored in E.164 (+86 1xx…): a landline or a number kept aside is no mobile.
    # Encrypted at rest (kehu.core.crypto): compared once decrypted, a customer's few contacts.
    if not any(m.startswith("+861") for m in contacts.values_list("mobile", flat=True)):
        return CheckResult(False, _("The contact's mobile number is missing."), link)
    return CheckResult(True, _("The contact has a valid mobile number."), link)


def _latest_interaction(context: CheckContext) -> Interaction | None:
    return (
        Interaction.objects.filter(created_by=context.trainee, created_at__gte=context.since)
        .select_related("customer")
        .order_by("-id")
        .first()
    )


def _interaction_link(interaction: Interaction) -> str:
    return _customer_link(interaction.customer)


@check("interaction_logged")
def interaction_logged(context: CheckContext) -> CheckResult:
    interaction = _latest_interaction(context)
    if interaction is None:
        return CheckResult(False, _("You have not logged an interaction in the workspace yet."))
    return CheckResult(True, _("Interaction logged."), _interaction_link(interaction))


@check("interaction_within")
def interaction_within(context: CheckContext, hours: int = 24) -> CheckResult:
    interaction = _latest_interaction(context)
    if interaction is None:
        return CheckResult(False, _("You have not logged an interaction in the workspace yet."))
    link = _interaction_link(interaction)
    if interaction.created_at - interaction.occurred_at > timedelta(hours=hours):
        return CheckResult(
            False,
            _("The interaction was logged more than %(hours)s hours after it happened.")
            % {"hours": hours},
            link,
        )
    return CheckResult(True, _("Logged within %(hours)s hours.") % {"hours": hours}, link)


@check("interaction_fields")
def interaction_fields(context: CheckContext, fields: list[str]) -> CheckResult:
    interaction = _latest_interaction(context)
    if interaction is None:
        return CheckResult(False, _("You have not logged an interaction in the workspace yet."))
    link = _interaction_link(interaction)
    missing = [
        str(getattr(Interaction._meta.get_field(name), "verbose_name", name))
        for name in fields
        if not getattr(interaction, name)
    ]
    if missing:
        return CheckResult(
            False, _("The interaction lacks: %(fields)s") % {"fields": "、".join(missing)}, link
        )
    return CheckResult(True, _("The interaction has all it needs."), link)
