"""Web-form leads: consent, duplicate check, company from the e-mail domain, assignment rules.

A lead always lands somewhere: the first matching assignment rule's owner (or the next rep of
its team); else the pool (公海) of the default team, the one an administrator marked to receive
unassigned web-form leads (Teams page, PATCH /api/v1/teams/{id}), else the first team created.
Whoever is responsible is told: the new owner and their team's managers, or the managers of
the pool's team (administrators when the team has none); a lead attached to an existing
customer tells its owner (or its team's managers).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.accounts.models import Role, Team, User
from kehu.accounts.services import integration_user, managers_of, notification_send
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.contacts.models import Contact
from kehu.core.cleaning import FieldCleaner
from kehu.core.crypto import blind
from kehu.core.validators import normalize_email, normalize_mobile
from kehu.customers.models import Customer, Industry, Source
from kehu.customers.services import (
    contact_create,
    customer_create,
    customer_route_to_pool,
    duplicate_check,
)

from .models import AssignmentRule, EmailDomain, Lead
from .services import assignment_rule_advance, lead_record

# Personal mailboxes: their domain says nothing about the company; never auto-fill from them.
FREE_MAIL_DOMAINS = frozenset(
    """qq.com vip.qq.com foxmail.com 163.com 126.com yeah.net vip.163.com vip.126.com 188.com
    sina.com sina.cn vip.sina.com sohu.com 139.com wo.cn 189.cn aliyun.com tom.com 21cn.com
    gmail.com googlemail.com outlook.com hotmail.com live.com msn.com yahoo.com yahoo.com.cn
    icloud.com me.com aol.com proton.me protonmail.com mail.com gmx.com yandex.com""".split()
)
SYSTEM_USERNAME = "kehu-webform"
# Shown on the form in the reader's language and stored, as shown, with the lead's consent.
DEFAULT_PURPOSE = gettext_lazy(
    "I agree that you keep and use these details to contact me about your products and services."
)


def consent_purpose() -> str:
    return getattr(settings, "KEHU_LEAD_CONSENT_PURPOSE", "") or str(DEFAULT_PURPOSE)


def system_user() -> User:
    """The integration account that web-form leads are created as (it cannot log in)."""
    return integration_user(username=SYSTEM_USERNAME, display_name="网站表单")


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower() if "@" in email else ""


def company_for_domain(domain: str) -> str:
    """The company behind an e-mail domain: the admin's directory, else existing customers."""
    if not domain or domain in FREE_MAIL_DOMAINS:
        return ""
    entry = EmailDomain.objects.filter(domain=domain).first()
    if entry:
        return entry.company
    token = blind("domain", f"@{domain}")  # e-mails are encrypted: their domains' blind index
    names = list(
        Customer.objects.filter(email_domain_bidx=token).values_list("name", flat=True)[:50]
    )
    names += list(
        Contact.objects.filter(
            email_domain_bidx=token, customer__kind=Customer.Kind.COMPANY
        ).values_list("customer__name", flat=True)[:50]
    )
    if not names:
        return ""
    (name, _count), *_ = Counter(names).most_common(1)
    return name


def _team_reps(rule: AssignmentRule) -> list[User]:
    return list(User.objects.filter(team=rule.team, role=Role.REP, is_active=True).order_by("id"))


def assign(
    *, province: str, industry: Industry | None
) -> tuple[User | None, AssignmentRule | None]:
    """The first matching active rule's owner, or the next rep of its team (round-robin)."""
    for rule in AssignmentRule.objects.select_for_update().filter(is_active=True):
        if rule.province and rule.province not in (province or ""):
            continue
        if rule.industry_id and (industry is None or industry.pk != rule.industry_id):
            continue
        if rule.owner_id:
            return rule.owner, rule
        reps = _team_reps(rule) if rule.team_id else []
        if not reps:
            continue
        after = [r for r in reps if rule.last_assigned_id and r.pk > rule.last_assigned_id]
        chosen = after[0] if after else reps[0]
        assignment_rule_advance(rule=rule, user=chosen)
        return chosen, rule
    return None, None


def default_lead_team() -> Team | None:
    """The team whose pool takes the leads no rule assigns: the one an administrator marked,
    else the first team created (None only while there is no team at all)."""
    marked = Team.objects.filter(receives_unassigned_leads=True).first()
    return marked or Team.objects.order_by("id").first()


@dataclass
class LeadInput:
    name: str
    company: str
    email: str
    mobile: str
    province: str
    industry: Industry | None
    industry_label: str
    message: str


def lead_clean(data: dict[str, Any]) -> LeadInput:
    c = FieldCleaner(data)
    c.field("name", max_length=100)
    c.field("company", max_length=200)
    c.field("email", normalize_email)
    c.field("mobile", normalize_mobile)
    c.field("province", max_length=50)
    c.field("industry", max_length=100)
    c.field("message", max_length=2000)
    if not c.values.get("name") and "name" not in c.errors:
        c.error("name", _("Please give your name."))
    if not c.values.get("email") and not c.values.get("mobile"):
        if "email" not in c.errors and "mobile" not in c.errors:
            c.error("mobile", _("Give a mobile number or an e-mail address."))
    if data.get("consent") not in (True, "true", "on", "1", 1, "yes"):
        c.error("consent", _("Please agree to the purpose so that we may contact you."))
    industry = None
    label = c.values.get("industry") or ""
    if label:
        industry = Industry.objects.filter(name=label, parent__isnull=True).first()
    c.raise_if_errors()
    return LeadInput(
        name=c.values["name"],
        company=c.values.get("company") or "",
        email=c.values.get("email") or "",
        mobile=c.values.get("mobile") or "",
        province=c.values.get("province") or "",
        industry=industry,
        industry_label=label,
        message=c.values.get("message") or "",
    )


def _exact_duplicate(lead: LeadInput) -> Customer | None:
    """Same e-mail or mobile on a customer or one of its contacts."""
    query = Q(pk__in=[])
    contact_query = Q(pk__in=[])
    if lead.email:
        query |= Q(email_bidx=blind("email", lead.email))
        contact_query |= Q(email_bidx=blind("email", lead.email))
    if lead.mobile:
        query |= Q(phone_bidx=blind("phone", lead.mobile))
        contact_query |= Q(mobile_bidx=blind("phone", lead.mobile))
    customer = Customer.objects.filter(query).order_by("id").first()
    if customer is None:
        contact = Contact.objects.filter(contact_query).select_related("customer").first()
        customer = contact.customer if contact else None
    return customer


def _new_customer_payload(lead: LeadInput, company: str, person: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "name": company or lead.name,
        "kind": "company" if company else "individual",
        "status": "lead",
        "status_reason": "网站表单",
        "decision_maker": {**person, "contact_type": "prospect"},
        "notes": lead.message,
    }
    if lead.province:
        payload["province"] = lead.province
    if lead.industry:
        payload["industry"] = lead.industry.name
    source = Source.objects.filter(is_active=True, name__in=("官网注册", "官网表单")).first()
    if source:
        payload["source"] = source.name
    return payload


@transaction.atomic
def lead_submit(*, data: dict[str, Any], ip: str | None) -> Lead:
    """Store one web-form submission: a new 潜在客户, or attached to the customer it duplicates."""
    lead = lead_clean(data)
    actor = system_user()
    company, autofilled = lead.company, False
    if not company:
        company = company_for_domain(email_domain(lead.email))
        autofilled = bool(company)
    person = {"name": lead.name, "mobile": lead.mobile, "email": lead.email}
    payload = _new_customer_payload(lead, company, person)
    # The same check, on the same payload, as the create below would run: a lead whose customer
    # probably exists is attached to it instead.
    check = duplicate_check(data=payload, context="create")
    existing = check.matches[0].customer if check.matches else _exact_duplicate(lead)
    score = check.matches[0].score if check.matches else (1.0 if existing else None)
    common = {
        "name": lead.name,
        "company": company,
        "company_autofilled": autofilled,
        "email": lead.email,
        "mobile": lead.mobile,
        "province": lead.province,
        "industry": lead.industry_label,
        "message": lead.message,
        "consent_purpose": consent_purpose(),
        "consent_at": timezone.now(),
        "ip": ip,
        "duplicate_score": score,
    }
    if existing is not None:
        known = existing.contacts.filter(
            (Q(email_bidx=blind("email", lead.email)) if lead.email else Q(pk__in=[]))
            | (Q(mobile_bidx=blind("phone", lead.mobile)) if lead.mobile else Q(pk__in=[]))
        ).first()
        contact = known or contact_create(
            actor=actor,
            customer=existing,
            data={**person, "contact_type": "prospect"},
            source="system",
        )
        record = lead_record(
            customer=existing,
            contact=contact,
            outcome=Lead.Outcome.ATTACHED,
            assigned_to=existing.owner,
            **common,
        )
        audit_record(
            actor=actor,
            action=AuditAction.LEAD_ATTACHED,
            target=existing,
            note=f"Web-form lead #{record.pk} matches this customer (score {score:.2f}).",
            source="system",
        )
        notification_send(
            users=[existing.owner] if existing.owner else managers_of(existing.team_id),
            message=_("A web-form lead from %(person)s matches the customer %(name)s.")
            % {"person": lead.name, "name": existing.name},
            link=reverse("customer-detail", args=[existing.customer_no]),
        )
        return record
    owner, rule = assign(province=lead.province, industry=lead.industry)
    if owner:
        payload["owner"] = str(owner.pk)
    customer = customer_create(actor=actor, data=payload, source="system")
    if owner is None:
        team = default_lead_team()
        if team is not None:
            customer = customer_route_to_pool(
                actor=actor,
                customer=customer,
                team=team,
                note=_("Web-form lead: no assignment rule took it."),
            )
    record = lead_record(
        customer=customer,
        contact=customer.contacts.first(),
        outcome=Lead.Outcome.CREATED,
        assigned_to=owner,
        rule=rule,
        **common,
    )
    audit_record(actor=actor, action=AuditAction.LEAD_CREATED, target=customer, source="system")
    _notify_new(customer, owner)
    return record


def _notify_new(customer: Customer, owner: User | None) -> None:
    link = reverse("customer-detail", args=[customer.customer_no])
    if owner is not None:
        notification_send(
            users=[owner],
            message=_("A new web-form lead is yours: %(name)s.") % {"name": customer.name},
            link=link,
        )
        notification_send(
            users=[u for u in managers_of(owner.team_id) if u.pk != owner.pk],
            message=_("A new web-form lead, %(name)s, was assigned to %(owner)s.")
            % {"name": customer.name, "owner": owner.label},
            link=link,
        )
        return
    if customer.team_id is not None:
        message = _("A new web-form lead, %(name)s, is in the %(team)s pool with no owner.") % {
            "name": customer.name,
            "team": customer.team.name if customer.team else "",
        }
    else:
        message = _("A new web-form lead, %(name)s, has no owner and no team: create a team.") % {
            "name": customer.name
        }
    notification_send(users=managers_of(customer.team_id), message=message, link=link)
