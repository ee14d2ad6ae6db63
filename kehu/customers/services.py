"""The one write path for customers and contacts: validated, atomic, audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.policy import can_create_customer, can_edit_finance
from kehu.audit.services import audit_record, diff_fields
from kehu.core.cleaning import FieldCleaner
from kehu.core.errors import DomainError, ValidationFailed
from kehu.core.numbering import next_number
from kehu.core.search_index import (
    search_index_contact,
    search_index_customer,
    search_unindex,
    search_unindex_customer,
)
from kehu.core.text import clean_multiline
from kehu.core.validators import (
    format_phone,
    normalize_credit_code,
    normalize_email,
    normalize_phone,
    parse_amount,
    parse_choice,
    parse_date,
    parse_phones,
)

from .models import Contact, Customer, CustomerStatusChange
from .selectors import industry_lookup, source_lookup
from .validators import (
    BUDGET_BAND_ALIASES,
    CONTACT_TYPE_ALIASES,
    DECISION_ROLE_ALIASES,
    GENDER_ALIASES,
    KIND_ALIASES,
    STATUS_ALIASES,
    budget_band_for,
    completeness_of,
    name_pinyin,
    normalize_company_name,
    parse_size,
)

CUSTOMER_AUDIT_FIELDS = (
    "kind", "name", "credit_code", "industry_id", "sub_industry_id", "size", "province", "city",
    "district", "address", "phone", "email", "source_id", "first_contact_date", "status",
    "owner_id", "team_id", "budget_band", "budget_amount", "external_source", "external_id",
    "notes",
)  # fmt: skip
CONTACT_AUDIT_FIELDS = (
    "name", "gender", "title", "department", "mobile", "landline", "email", "wechat", "qq",
    "address", "contact_type", "decision_role", "is_primary", "has_left", "left_on",
)  # fmt: skip


class PermissionDenied(DomainError):
    """You are not allowed to do this."""

    status_code = 403
    code = "permission_denied"


def assert_finance_editable(actor: Any, *, changed: bool) -> None:
    """Budgets and amounts change only by roles or users granted it (policy.can_edit_finance)."""
    if changed and getattr(actor, "is_authenticated", False) and not can_edit_finance(actor):
        raise PermissionDenied(_("Your role may not edit finance fields (budgets and amounts)."))


def _choice(aliases: dict[str, str]) -> Any:
    return lambda text: parse_choice(text, aliases)


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """Field values for the audit trail; a foreign key is recorded as its label, not its id."""
    snapshot: dict[str, Any] = {}
    for field in fields:
        model_field = obj._meta.get_field(field)
        if model_field.is_relation:
            related = getattr(obj, model_field.name) if getattr(obj, field) else None
            snapshot[model_field.name] = str(related) if related is not None else None
        else:
            snapshot[field] = getattr(obj, field)
    return snapshot


def _clean_user(cleaner: FieldCleaner, actor: Any) -> None:
    if not cleaner.has("owner"):
        return
    raw = cleaner.raw("owner")
    if not raw:
        if getattr(actor, "role", None) == Role.REP:
            cleaner.error("owner", _("A sales rep cannot leave a customer without an owner."))
            return
        cleaner.values["owner"] = None
        return
    users = User.objects.filter(is_active=True)
    owner = (
        users.filter(pk=int(raw)).first()
        if raw.isdigit()
        else users.filter(Q(username=raw) | Q(display_name=raw)).order_by("id").first()
    )
    if owner is None:
        cleaner.error("owner", _("No active user '%(name)s'.") % {"name": raw})
        return
    if getattr(actor, "role", None) == Role.REP and owner.pk != actor.pk:
        cleaner.error("owner", _("A sales rep may only own customers themself; ask a manager."))
        return
    if (
        getattr(actor, "role", None) == Role.MANAGER
        and actor.team_id
        and owner.team_id != actor.team_id
    ):
        cleaner.error("owner", _("A manager may assign customers within their own team only."))
        return
    cleaner.values["owner"] = owner


def _clean_region(cleaner: FieldCleaner) -> None:
    region = cleaner.data.get("region")
    parts: dict[str, Any] = {}
    if isinstance(region, dict):
        parts = {k: region.get(k) for k in ("province", "city", "district") if k in region}
    elif isinstance(region, str) and region.strip():
        pieces = [p for p in region.replace("›", "/").replace(" ", "/").split("/") if p]
        parts = dict(zip(("province", "city", "district"), pieces, strict=False))
    elif "region" in cleaner.data:
        parts = {"province": "", "city": "", "district": ""}
    for key in ("province", "city", "district"):
        if key in cleaner.data:
            parts[key] = cleaner.data[key]
    sub = FieldCleaner(parts)
    for key in ("province", "city", "district"):
        sub.field(key, max_length=50)
    cleaner.values.update(sub.values)
    for key, messages in sub.errors.items():
        for message in messages:
            cleaner.error(key, message)


def customer_clean(data: dict[str, Any], *, actor: Any, creating: bool = False) -> dict[str, Any]:
    """Validate a customer payload (any subset of the API fields); raise ValidationFailed.

    With `creating`, a missing name is reported together with every other bad field.
    """
    c = FieldCleaner(data)
    c.field("kind", _choice(KIND_ALIASES), empty=Customer.Kind.COMPANY)
    c.field("name", max_length=200)
    if (creating or "name" in data) and not c.values.get("name") and "name" not in c.errors:
        c.error("name", _("The customer's name is required."))
    c.field("credit_code", normalize_credit_code)
    c.field("size", parse_size)
    c.field("address", max_length=300)
    for alias in ("mobile", "phone"):
        c.field(alias, normalize_phone, target="phone")
    c.field("email", normalize_email)
    c.field("first_contact_date", parse_date, empty=None)
    c.field("status", _choice(STATUS_ALIASES), empty=Customer.Status.LEAD)
    c.field("status_reason", max_length=500)
    c.field("budget_band", _choice(BUDGET_BAND_ALIASES))
    c.field("budget_amount", parse_amount, empty=None)
    c.field("external_source", max_length=50)
    c.field("external_id", max_length=64)
    if "notes" in data:
        c.values["notes"] = clean_multiline(data.get("notes"))[:10000]
    _clean_region(c)
    _clean_user(c, actor)
    # Dictionaries: industry (two levels) and source.
    if c.has("industry") or c.has("sub_industry"):
        top = sub = None
        if c.raw("industry"):
            top, sub = industry_lookup(c.raw("industry"))
            if top is None:
                c.error(
                    "industry",
                    _("'%(value)s' is not in the industry dictionary.")
                    % {"value": c.raw("industry")},
                )
        if c.raw("sub_industry"):
            sub_top, sub = industry_lookup(c.raw("sub_industry"))
            if sub is None or (top is not None and sub_top != top):
                c.error(
                    "sub_industry",
                    (
                        _("'%(value)s' is not a sub-industry of %(top)s.")
                        % {"value": c.raw("sub_industry"), "top": top.name}
                        if top
                        else _("'%(value)s' is not a sub-industry.")
                        % {"value": c.raw("sub_industry")}
                    ),
                )
            elif top is None and "industry" not in c.errors:
                top = sub_top
        if c.has("industry"):
            c.values["industry"] = top
        if c.has("industry") or c.has("sub_industry"):
            c.values["sub_industry"] = sub
    if c.has("source"):
        if c.raw("source"):
            source = source_lookup(c.raw("source"))
            if source is None or not source.is_active:
                c.error(
                    "source",
                    _("'%(value)s' is not a known customer source.") % {"value": c.raw("source")},
                )
            else:
                c.values["source"] = source
        else:
            c.values["source"] = None
    # A band given with an amount must agree with it; an amount alone implies its band.
    amount = c.values.get("budget_amount")
    if isinstance(amount, Decimal):
        band = budget_band_for(amount)
        if c.values.get("budget_band") and c.values["budget_band"] != band:
            c.error("budget_band", _("The budget band does not match the budget amount."))
        else:
            c.values["budget_band"] = band
    # Inline decision maker.
    dm_errors: dict[str, list[str]] = {}
    if data.get("decision_maker") is not None:
        dm = data["decision_maker"]
        if not isinstance(dm, dict):
            dm_errors["decision_maker"] = [_(_("Expected an object with name, title, mobile, …"))]
        else:
            try:
                c.values["decision_maker"] = contact_clean(
                    {"decision_role": "decision_maker", "is_primary": True, **dm},
                    prefix="decision_maker.",
                    creating=creating,
                )
            except ValidationFailed as exc:
                dm_errors = exc.errors
    c.raise_if_errors(dm_errors)
    return c.values


def contact_clean(data: dict[str, Any], *, prefix: str = "", creating: bool) -> dict[str, Any]:
    c = FieldCleaner(data, prefix=prefix)
    c.field("name", max_length=100)
    if (creating or "name" in data) and not c.values.get("name"):
        c.values.pop("name", None)
        c.error("name", _("The contact's name is required."))
    c.field("gender", _choice(GENDER_ALIASES))
    c.field("title", max_length=100)
    c.field("department", max_length=100)
    # A number given as "mobile" or "phone" goes where it belongs: mobile or landline. A cell
    # may hold a mobile and a landline ("13912345678/0571-88886666"); a number with no slot
    # left in it is reported, not dropped.
    for key in ("mobile", "phone", "landline"):
        if key in data and c.raw(key):
            try:
                numbers = parse_phones(c.raw(key))
            except Exception as exc:  # ValidationError
                for message in getattr(exc, "messages", [str(exc)]):
                    c.error(key, message)
                continue
            filled: set[str] = set()
            extra = []
            for number, kind in numbers:
                slot = "landline" if key == "landline" or kind == "landline" else "mobile"
                if slot in filled:
                    extra.append(number)
                    continue
                filled.add(slot)
                c.values[slot] = number
            if extra:
                c.error(
                    key,
                    _("One mobile and one landline fit; give %(numbers)s to another contact.")
                    % {"numbers": ", ".join(format_phone(n) for n in extra)},
                )
        elif key in data and key != "phone":
            c.values.setdefault(key, "")
    c.field("email", normalize_email)
    c.field("wechat", max_length=64)
    c.field("qq", max_length=16)
    if c.values.get("qq") and not c.values["qq"].isdigit():
        c.error("qq", _("A QQ number has digits only."))
    c.field("address", max_length=300)
    c.field("contact_type", _choice(CONTACT_TYPE_ALIASES), empty=Contact.ContactType.CUSTOMER)
    c.field("decision_role", _choice(DECISION_ROLE_ALIASES))
    for flag in ("is_primary", "has_left"):
        if flag in data:
            c.values[flag] = data[flag] in (True, "true", "1", 1, "on", "yes", "是")
    c.field("left_on", parse_date, empty=None)
    c.raise_if_errors()
    return c.values


def _decision_maker(customer: Customer, contacts: list[Contact] | None = None) -> Contact | None:
    if contacts is None:
        contacts = list(customer.contacts.all())
    contacts = [c for c in contacts if not c.has_left]
    makers = [c for c in contacts if c.decision_role == Contact.DecisionRole.DECISION_MAKER]
    makers.sort(key=lambda c: (not c.is_primary, c.pk))
    return makers[0] if makers else None


def customer_refresh_quality(customer: Customer, *, save: bool = True) -> None:
    """Recompute completeness, missing fields and the 待补全 mark from the record and its contacts."""
    contacts = list(customer.contacts.all())  # one read, prefetched or not
    maker = _decision_maker(customer, contacts)
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


def _assert_reachable(customer: Customer) -> None:
    if customer.phone or customer.email or customer.address:
        return
    reachable = (
        customer.contacts.filter(has_left=False)
        .filter(~Q(mobile="") | ~Q(landline="") | ~Q(email="") | ~Q(wechat=""))
        .exists()
    )
    if not reachable:
        raise ValidationFailed(
            {
                "contact": [
                    "Give at least one way to reach the customer: a contact's phone, e-mail or "
                    "WeChat id, or a postal address."
                ]
            }
        )


def _apply(customer: Customer, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key in ("decision_maker", "status_reason"):
            continue
        setattr(customer, key, value)
    if "name" in values:
        customer.name_normalized = normalize_company_name(customer.name)
    if "owner" in values:
        customer.team = customer.owner.team if customer.owner else None


def _search_reindex(customer: Customer) -> None:
    """Keep the search index in step: the customer and its contacts (they show its name)."""
    search_index_customer(customer)
    for contact in customer.contacts.all():
        search_index_contact(contact)


def _check_external_id(customer: Customer) -> None:
    if not customer.external_id:
        return
    clash = (
        Customer.objects.filter(
            external_source=customer.external_source, external_id=customer.external_id
        )
        .exclude(external_id="")  # the unique index's condition, spelled out: SQLite then uses it
        .exclude(pk=customer.pk)
    )
    if clash.exists():
        raise ValidationFailed(
            {
                "external_id": [
                    _("External id '%(value)s' is already used.") % {"value": customer.external_id}
                ]
            }
        )


@transaction.atomic
def customer_create(*, actor: Any, data: dict[str, Any], source: str | None = None) -> Customer:
    """Create a customer (and its inline decision maker); number it CXyyyymm####."""
    if not can_create_customer(actor):
        raise PermissionDenied(_("Your role may not create customers."))
    values = customer_clean(data, actor=actor, creating=True)
    if not values.get("name"):
        raise ValidationFailed({"name": [_("The customer's name is required.")]})
    maker_values = values.pop("decision_maker", None)
    assert_finance_editable(actor, changed=values.get("budget_amount") is not None)
    customer = Customer(created_by=actor if getattr(actor, "pk", None) else None)
    _apply(customer, values)
    if "owner" not in values and getattr(actor, "role", None) in (Role.REP, Role.MANAGER):
        customer.owner = actor
        customer.team = actor.team
    _check_external_id(customer)
    customer.customer_no = next_number("CX", today=timezone.localdate())
    customer.save()
    if maker_values:
        Contact.objects.create(
            customer=customer, name_pinyin=name_pinyin(maker_values["name"]), **maker_values
        )
    _assert_reachable(customer)
    CustomerStatusChange.objects.create(
        customer=customer,
        from_status="",
        to_status=customer.status,
        reason=values.get("status_reason") or "Created",
        changed_by=actor if getattr(actor, "pk", None) else None,
    )
    customer_refresh_quality(customer)
    _search_reindex(customer)
    audit_record(
        actor=actor,
        action="customer.created",
        target=customer,
        changes=diff_fields({}, _snapshot(customer, CUSTOMER_AUDIT_FIELDS)),
        source=source,
    )
    return customer


@transaction.atomic
def customer_update(
    *, actor: Any, customer: Customer, data: dict[str, Any], source: str | None = None
) -> Customer:
    """Change the given fields. A status change needs `status_reason`; the number never changes."""
    if "customer_no" in data and str(data["customer_no"]).strip().upper() != customer.customer_no:
        raise ValidationFailed({"customer_no": [_("The customer number cannot be changed.")]})
    data = {k: v for k, v in data.items() if k != "customer_no"}
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    values = customer_clean(data, actor=actor)
    maker_values = values.pop("decision_maker", None)
    if "name" in data and not values.get("name"):
        raise ValidationFailed({"name": [_("The customer's name is required.")]})
    assert_finance_editable(
        actor,
        changed="budget_amount" in values and values["budget_amount"] != customer.budget_amount,
    )
    before = _snapshot(customer, CUSTOMER_AUDIT_FIELDS)
    old_status = customer.status
    _apply(customer, values)
    if customer.status != old_status:
        reason = values.get("status_reason", "")
        if not reason:
            raise ValidationFailed({"status_reason": [_("Give a reason when the status changes.")]})
        CustomerStatusChange.objects.create(
            customer=customer,
            from_status=old_status,
            to_status=customer.status,
            reason=reason,
            changed_by=actor if getattr(actor, "pk", None) else None,
        )
    _check_external_id(customer)
    customer.save()
    if maker_values:
        maker = _decision_maker(customer)
        if maker is None:
            if not maker_values.get("name"):
                raise ValidationFailed(
                    {"decision_maker.name": [_("The decision maker's name is required.")]}
                )
            Contact.objects.create(
                customer=customer, name_pinyin=name_pinyin(maker_values["name"]), **maker_values
            )
        else:
            for key, value in maker_values.items():
                setattr(maker, key, value)
            maker.name_pinyin = name_pinyin(maker.name)
            maker.save()
    _assert_reachable(customer)
    customer_refresh_quality(customer)
    _search_reindex(customer)
    changes = diff_fields(before, _snapshot(customer, CUSTOMER_AUDIT_FIELDS))
    if changes or maker_values:
        audit_record(
            actor=actor,
            action="customer.updated",
            target=customer,
            changes=changes,
            note=values.get("status_reason", "") if "status" in changes else "",
            source=source,
        )
    return customer


def customer_change_status(*, actor: Any, customer: Customer, status: str, reason: str) -> Customer:
    return customer_update(
        actor=actor, customer=customer, data={"status": status, "status_reason": reason}
    )


@transaction.atomic
def customer_delete(*, actor: Any, customer: Customer) -> None:
    if getattr(actor, "role", None) not in (Role.ADMIN, Role.MANAGER):
        raise PermissionDenied(_("Only a manager or an administrator may delete customers."))
    audit_record(
        actor=actor,
        action="customer.deleted",
        target=customer,
        changes=diff_fields(_snapshot(customer, CUSTOMER_AUDIT_FIELDS), {}),
    )
    search_unindex_customer(customer.pk)
    customer.delete()


# --- Contacts


@transaction.atomic
def contact_create(*, actor: Any, customer: Customer, data: dict[str, Any]) -> Contact:
    values = contact_clean(data, creating=True)
    if values.get("is_primary"):
        customer.contacts.filter(is_primary=True).update(is_primary=False)
    contact = Contact.objects.create(
        customer=customer, name_pinyin=name_pinyin(values["name"]), **values
    )
    customer_refresh_quality(customer)
    search_index_contact(contact)
    audit_record(
        actor=actor,
        action="contact.created",
        target=contact,
        changes=diff_fields({}, _snapshot(contact, CONTACT_AUDIT_FIELDS)),
    )
    return contact


@transaction.atomic
def contact_update(*, actor: Any, contact: Contact, data: dict[str, Any]) -> Contact:
    values = contact_clean(data, creating=False)
    before = _snapshot(contact, CONTACT_AUDIT_FIELDS)
    if values.get("has_left") and not contact.has_left and not values.get("left_on"):
        values["left_on"] = timezone.localdate()
    if values.get("is_primary"):
        contact.customer.contacts.exclude(pk=contact.pk).filter(is_primary=True).update(
            is_primary=False
        )
    for key, value in values.items():
        setattr(contact, key, value)
    contact.name_pinyin = name_pinyin(contact.name)
    contact.save()
    _assert_reachable(contact.customer)
    customer_refresh_quality(contact.customer)
    search_index_contact(contact)
    changes = diff_fields(before, _snapshot(contact, CONTACT_AUDIT_FIELDS))
    if changes:
        audit_record(actor=actor, action="contact.updated", target=contact, changes=changes)
    return contact


@transaction.atomic
def contact_delete(*, actor: Any, contact: Contact) -> None:
    """Remove a contact entered by mistake. People who left are marked, not deleted."""
    customer = contact.customer
    audit_record(
        actor=actor,
        action="contact.deleted",
        target=contact,
        changes=diff_fields(_snapshot(contact, CONTACT_AUDIT_FIELDS), {}),
    )
    search_unindex("contact", [contact.pk])
    contact.delete()
    _assert_reachable(customer)
    customer_refresh_quality(customer)


# --- Dictionaries


@transaction.atomic
def source_create(*, actor: Any, name: str, code: str) -> Any:
    from django.utils.text import slugify

    from .models import Source

    clean_name, clean_code = name.strip(), slugify(code.strip())
    errors: dict[str, list[str]] = {}
    if not clean_name:
        errors["name"] = [_("Give the source a name.")]
    elif Source.objects.filter(name=clean_name).exists():
        errors["name"] = [f"Source '{clean_name}' exists already."]
    if not clean_code:
        errors["code"] = [_("Give the source a code (letters, digits, -).")]
    elif Source.objects.filter(code=clean_code).exists():
        errors["code"] = [f"Code '{clean_code}' is used already."]
    if errors:
        raise ValidationFailed(errors)
    source = Source.objects.create(
        name=clean_name, code=clean_code, sort=Source.objects.count() + 1
    )
    audit_record(actor=actor, action="source.created", target=source)
    return source
