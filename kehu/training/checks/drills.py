"""Checks of the drills: the planted duplicate merged with its 成交 status kept; the messy
spreadsheet imported with its failed rows fixed; the business card captured; the departing
colleague's customer handed over with its open work; the suspicious export reported."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.models import AuditEntry, ExportReport
from kehu.collab.models import HandOver
from kehu.contacts.models import Contact
from kehu.customers.export_reports import exporter_label
from kehu.customers.models import Customer
from kehu.customers.validators import FIELD_LABELS
from kehu.intake.models import ImportRun
from kehu.interactions.models import FollowUp
from kehu.opportunities.models import Opportunity

from .registry import CheckContext, CheckResult, check


@check("duplicate_merged")
def duplicate_merged(context: CheckContext, names: list[str]) -> CheckResult:
    left = list(Customer.objects.filter(name__in=names).order_by("id"))
    if not left:
        return CheckResult(False, _("The duplicated customer is gone: reset the workspace."))
    link = reverse("customer-detail", args=[left[0].customer_no])
    if len(left) > 1:
        return CheckResult(
            False,
            _("%(count)s records of %(name)s remain: merge them into one.")
            % {"count": len(left), "name": names[0]},
            link,
        )
    return CheckResult(True, _("One record remains."), link)


@check("merged_status_kept")
def merged_status_kept(context: CheckContext, names: list[str], status: str) -> CheckResult:
    left = list(Customer.objects.filter(name__in=names).order_by("id"))
    if len(left) != 1:
        return CheckResult(False, _("Merge the duplicate first."))
    survivor = left[0]
    link = reverse("customer-detail", args=[survivor.customer_no])
    if survivor.status != status:
        return CheckResult(
            False,
            _("The merged customer lost its status %(status)s.")
            % {"status": Customer.Status(status).label},
            link,
        )
    return CheckResult(True, _("The status was kept."), link)


# --- Import a messy spreadsheet and fix its failed rows ---------------------------------------


def _mobiles(customer: Customer) -> list[str]:
    """The mobiles (E.164) of a customer's contacts: encrypted at rest, so read and compared
    once decrypted (a customer has a few contacts)."""
    return [m for m in Contact.objects.filter(customer=customer).values_list("mobile", flat=True)]


def _latest_import(context: CheckContext) -> ImportRun | None:
    return (
        ImportRun.objects.filter(
            created_by=context.trainee,
            created_at__gte=context.since,
            kind=ImportRun.Kind.CUSTOMERS,
        )
        .order_by("-id")
        .first()
    )


@check("import_ran")
def import_ran(context: CheckContext) -> CheckResult:
    run = _latest_import(context)
    if run is None:
        return CheckResult(
            False, _("You have not imported the spreadsheet yet."), reverse("import-list")
        )
    link = reverse("import-detail", args=[run.pk])
    finished = ImportRun.objects.filter(
        created_by=context.trainee,
        created_at__gte=context.since,
        kind=ImportRun.Kind.CUSTOMERS,
        status=ImportRun.Status.FINISHED,
    )
    if not finished.exists():
        return CheckResult(
            False, _("Your import has not run to the end: check it and commit it."), link
        )
    return CheckResult(True, _("The spreadsheet was imported."), link)


@check("import_rows_fixed")
def import_rows_fixed(context: CheckContext, names: list[str]) -> CheckResult:
    run = _latest_import(context)
    link = reverse("import-detail", args=[run.pk]) if run else reverse("import-list")
    found = set(Customer.objects.filter(name__in=names).values_list("name", flat=True))
    missing = [name for name in names if name not in found]
    if missing:
        return CheckResult(
            False,
            _(
                "Not imported yet: %(names)s. Download the failed rows from the import, fix "
                "them and import them again."
            )
            % {"names": "、".join(missing)},
            link,
        )
    return CheckResult(True, _("Every row of the spreadsheet is a customer now."), link)


@check("import_to_standard")
def import_to_standard(
    context: CheckContext, names: list[str], mobiles: dict[str, str]
) -> CheckResult:
    customers = {c.name: c for c in Customer.objects.filter(name__in=names).order_by("id")}
    if len(customers) < len(names):
        return CheckResult(False, _("Import every row first."), reverse("import-list"))
    for name in names:
        customer = customers[name]
        link = reverse("customer-detail", args=[customer.customer_no])
        numbers = _mobiles(customer)
        expected = mobiles.get(name)
        if not any(m.startswith("+861") for m in numbers):
            return CheckResult(
                False,
                _("%(name)s: the contact's mobile number is missing.") % {"name": name},
                link,
            )
        if expected and f"+86{expected}" not in numbers:
            return CheckResult(
                False,
                _("%(name)s: the contact's mobile is not the one in the spreadsheet.")
                % {"name": name},
                link,
            )
        if customer.missing_fields:
            labels = "、".join(str(FIELD_LABELS.get(f, f)) for f in customer.missing_fields)
            return CheckResult(
                False,
                _("%(name)s: required fields missing: %(fields)s")
                % {"name": name, "fields": labels},
                link,
            )
    return CheckResult(True, _("Every imported customer meets the standard."))


# --- Capture a business card ------------------------------------------------------------------


def _card_customer(context: CheckContext, company: str) -> Customer | None:
    return (
        Customer.objects.filter(name=company, created_at__gte=context.since).order_by("-id").first()
    )


@check("card_captured")
def card_captured(context: CheckContext, company: str) -> CheckResult:
    customer = _card_customer(context, company)
    if customer is None:
        return CheckResult(
            False,
            _("There is no customer %(name)s yet: capture the card.") % {"name": company},
            reverse("capture-card"),
        )
    return CheckResult(
        True,
        _("%(name)s was captured.") % {"name": company},
        reverse("customer-detail", args=[customer.customer_no]),
    )


@check("card_contact")
def card_contact(context: CheckContext, company: str, name: str, mobile: str) -> CheckResult:
    customer = _card_customer(context, company)
    if customer is None:
        return CheckResult(False, _("Capture the card first."), reverse("capture-card"))
    link = reverse("customer-detail", args=[customer.customer_no])
    contacts = list(Contact.objects.filter(customer=customer))
    person = next((c for c in contacts if c.name.strip() == name), None)
    if person is None:
        return CheckResult(
            False,
            _("The customer has no contact named %(name)s: check the name on the card.")
            % {"name": name},
            link,
        )
    if not person.mobile:
        return CheckResult(False, _("The contact's mobile number is missing."), link)
    if person.mobile != f"+86{mobile}":
        return CheckResult(
            False,
            _("%(name)s's mobile is not the one on the card.") % {"name": name},
            link,
        )
    return CheckResult(True, _("%(name)s and the mobile are right.") % {"name": name}, link)


# --- Hand a colleague's customer over ---------------------------------------------------------


def _user_named(username: str) -> User | None:
    return User.objects.filter(username=username).first()


@check("handover_done")
def handover_done(context: CheckContext, leaving: str) -> CheckResult:
    user = _user_named(leaving)
    if user is None:
        return CheckResult(False, _("The departing colleague is gone: reset the workspace."))
    link = reverse("collab-handover", args=[user.pk])
    if not HandOver.objects.filter(user=user).exists():
        return CheckResult(
            False, _("%(user)s has not been handed over yet.") % {"user": user.label}, link
        )
    return CheckResult(True, _("%(user)s was handed over.") % {"user": user.label}, link)


@check("handover_customer_to")
def handover_customer_to(context: CheckContext, customer: str, successor: str) -> CheckResult:
    found = Customer.objects.filter(name=customer).select_related("owner").first()
    heir = _user_named(successor)
    if found is None or heir is None:
        return CheckResult(False, _("The drill's records are gone: reset the workspace."))
    link = reverse("customer-detail", args=[found.customer_no])
    if found.owner_id != heir.pk:
        owner = found.owner.label if found.owner else _("the team pool")
        return CheckResult(
            False,
            _("%(customer)s is with %(owner)s, not with %(successor)s.")
            % {"customer": customer, "owner": owner, "successor": heir.label},
            link,
        )
    return CheckResult(
        True, _("%(successor)s owns the customer now.") % {"successor": heir.label}, link
    )


@check("handover_open_work")
def handover_open_work(context: CheckContext, customer: str, successor: str) -> CheckResult:
    found = Customer.objects.filter(name=customer).first()
    heir = _user_named(successor)
    if found is None or heir is None:
        return CheckResult(False, _("The drill's records are gone: reset the workspace."))
    link = reverse("customer-detail", args=[found.customer_no])
    opportunities = Opportunity.objects.filter(customer=found).exclude(
        stage__in=(Opportunity.Stage.WON, Opportunity.Stage.LOST)
    )
    tasks = FollowUp.objects.filter(customer=found, done_at__isnull=True)
    for title, owner_id in [
        *opportunities.values_list("title", "owner_id"),
        *tasks.values_list("title", "owner_id"),
    ]:
        if owner_id != heir.pk:
            return CheckResult(
                False,
                _("“%(title)s” is not with %(successor)s: open work follows its customer.")
                % {"title": title, "successor": heir.label},
                link,
            )
    if not opportunities.exists() or not tasks.exists():
        return CheckResult(False, _("The drill's records are gone: reset the workspace."))
    return CheckResult(
        True,
        _("The open opportunity and task went with the customer to %(successor)s.")
        % {"successor": heir.label},
        link,
    )


# --- Recognise and report a suspicious export -------------------------------------------------


def _exports_by(username: str) -> Any:
    return AuditEntry.objects.filter(
        action=AuditAction.CUSTOMERS_EXPORTED, actor__username=username
    ).order_by("id")


@check("export_reported")
def export_reported(context: CheckContext, exporter: str) -> CheckResult:
    entries = list(_exports_by(exporter))
    if not entries:
        return CheckResult(False, _("The drill's records are gone: reset the workspace."))
    reported = ExportReport.objects.filter(entry__in=entries).first()
    if reported is None:
        return CheckResult(
            False,
            _("The suspicious export has not been reported yet: look for it in the audit log."),
            reverse("audit-log") + "?action=" + AuditAction.CUSTOMERS_EXPORTED,
        )
    return CheckResult(
        True,
        _("The export was reported: %(reason)s") % {"reason": reported.reason},
        reverse("audit-export-reports"),
    )


@check("export_only_suspicious")
def export_only_suspicious(context: CheckContext, exporter: str) -> CheckResult:
    if not ExportReport.objects.filter(entry__in=_exports_by(exporter)).exists():
        return CheckResult(False, _("Report the suspicious export first."))
    others = (
        ExportReport.objects.filter(entry__action=AuditAction.CUSTOMERS_EXPORTED)
        .exclude(entry__actor__username=exporter)
        .select_related("entry", "entry__actor")
        .first()
    )
    if others is not None:
        return CheckResult(
            False,
            _("%(user)s's export was ordinary work (a few filtered rows), not suspicious.")
            % {"user": exporter_label(others.entry)},
            reverse("audit-export-reports"),
        )
    return CheckResult(True, _("Only the suspicious export was reported."))
