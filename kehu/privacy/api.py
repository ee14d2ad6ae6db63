"""/api/v1/privacy: consents, the data-subject request register, retention policies (issue 19)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from kehu.accounts.requests import AuthedRequest
from kehu.contacts.selectors import contact_get_for
from kehu.core.api_utils import errors, payload_data
from kehu.core.errors import ValidationFailed
from kehu.customers.selectors import customer_get_for

from . import services
from .models import Consent, RetentionPolicy, RetentionRun, SubjectRequest
from .selectors import (
    ConsentRow,
    assert_privacy_role,
    consent_get,
    consents_for_customer,
    lead_get,
    person_find,
    retention_policies,
    retention_policy_get,
    subject_request_get,
    subject_requests,
)

router = Router(tags=["privacy"])


# --- Consents ----------------------------------------------------------------------------------


class ConsentOut(Schema):
    id: int | None = Field(description="None for a web-form lead's consent not withdrawn")
    customer_no: str
    contact_id: int | None
    contact_name: str
    purpose: str
    purpose_label: str
    channel: str
    channel_label: str
    basis: str
    wording_version: str
    given_at: datetime
    withdrawn_at: datetime | None
    is_live: bool
    lead_id: int | None
    lawful_basis: str = Field(description="consent, contract or existing_customer")
    lawful_basis_label: str
    import_id: int | None = Field(description="the import that recorded it (channel import)")
    recorded_by: str = Field(description="who recorded it ('' for the system or a web form)")


class ConsentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    customer_no: str
    contact_id: int | None = None
    purpose: str = Field(
        description="marketing, service, analysis; PIPL's separate consents: sensitive "
        "(sensitive personal information), third_party, cross_border"
    )
    channel: str = Field(
        description="web_form, import, card, phone, email, in_person, paper or api; import "
        "and card need the basis the user states"
    )
    basis: str = ""
    wording_version: str = ""
    given_at: datetime | None = None
    lawful_basis: str = Field(
        "consent",
        description="consent (default); contract or existing_customer cover purpose service only",
    )


class WithdrawIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = ""
    purpose: str = Field("", description="for a web-form lead's consent (lead_id): which purpose")


def _consent_row(consent: Consent) -> ConsentRow:
    rows = consents_for_customer(consent.customer, contact_id=consent.contact_id)
    return next(row for row in rows if row.id == consent.pk)


@router.get(
    "/privacy/consents",
    response={200: list[ConsentOut], **errors(404, 422)},
    summary="A customer's (or one contact's) consents",
)
def consent_list(
    request: AuthedRequest, customer_no: str, contact_id: int | None = None
) -> list[ConsentRow]:
    customer = customer_get_for(request.user, customer_no)
    return consents_for_customer(customer, contact_id=contact_id)


@router.post(
    "/privacy/consents",
    response={201: ConsentOut, **errors(403, 404, 422)},
    summary="Record a consent",
)
def consent_create(request: AuthedRequest, payload: ConsentIn) -> Status:
    customer = customer_get_for(request.user, payload.customer_no, for_change=True)
    contact = None
    if payload.contact_id is not None:
        contact = contact_get_for(request.user, payload.contact_id)
    consent = services.consent_record(
        actor=request.user,
        customer=customer,
        contact=contact,
        purpose=payload.purpose,
        channel=payload.channel,
        basis=payload.basis,
        wording_version=payload.wording_version,
        given_at=payload.given_at,
        lawful_basis=payload.lawful_basis,
    )
    return Status(201, _consent_row(consent))


@router.post(
    "/privacy/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **errors(403, 404, 409)},
    summary="Withdraw a consent",
)
def consent_withdraw(request: AuthedRequest, consent_id: int, payload: WithdrawIn) -> ConsentRow:
    consent = consent_get(consent_id)
    customer_get_for(request.user, consent.customer.customer_no, for_change=True)
    consent = services.consent_withdraw(actor=request.user, consent=consent, note=payload.note)
    return _consent_row(consent)


@router.post(
    "/privacy/leads/{lead_id}/withdraw",
    response={200: ConsentOut, **errors(403, 404, 409, 422)},
    summary="Withdraw the consent a web-form lead gave, for one purpose",
)
def lead_consent_withdraw(request: AuthedRequest, lead_id: int, payload: WithdrawIn) -> ConsentRow:
    lead = lead_get(lead_id)
    customer_get_for(request.user, lead.customer.customer_no, for_change=True)
    consent = services.consent_withdraw_lead(
        actor=request.user, lead=lead, purpose=payload.purpose, note=payload.note
    )
    return _consent_row(consent)


# --- Data-subject requests ---------------------------------------------------------------------


class RequestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="access (and export), correction or erasure")
    phone: str = ""
    email: str = ""
    name: str = ""
    note: str = ""
    received_at: datetime | None = None


class RequestPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    status: str | None = Field(None, description="open, done or rejected")
    note: str | None = None


class RequestOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    phone: str
    email: str
    name: str
    note: str
    received_at: datetime
    due_at: datetime
    is_overdue: bool
    completed_at: datetime | None
    result: dict[str, Any]


class HoldingsOut(Schema):
    counts: dict[str, int]
    customers: list[str] = Field(description="customer numbers of the person's own records")
    contacts: list[int]
    leads: list[int]


class CorrectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    contact_id: int | None = None
    customer_no: str = ""
    values: dict[str, Any] = Field(description="the fields to correct, as the edit API takes them")


class EraseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    confirm: bool = Field(description="true: erasure cannot be undone")


def request_out(row: SubjectRequest) -> dict[str, Any]:
    return {
        "id": row.pk,
        "kind": row.kind,
        "kind_label": row.get_kind_display(),
        "status": row.status,
        "status_label": row.get_status_display(),
        "phone": row.phone,
        "email": row.email,
        "name": row.name,
        "note": row.note,
        "received_at": row.received_at,
        "due_at": row.due_at,
        "is_overdue": row.is_overdue,
        "completed_at": row.completed_at,
        "result": row.result,
    }


def _request_for(request: AuthedRequest, request_id: int) -> SubjectRequest:
    assert_privacy_role(request.user)
    return subject_request_get(request_id)


def _find(row: SubjectRequest) -> Any:
    return person_find(phone=row.phone, email=row.email, name=row.name)


@router.get(
    "/privacy/requests",
    response={200: list[RequestOut], **errors(403)},
    summary="The register of data-subject requests, soonest due first",
)
def request_list(request: AuthedRequest, status: str = "") -> list[dict[str, Any]]:
    assert_privacy_role(request.user)
    return [request_out(row) for row in subject_requests(status=status)]


@router.post(
    "/privacy/requests",
    response={201: RequestOut, **errors(403, 422)},
    summary="Register a data-subject request (its deadline follows KEHU_PRIVACY_REQUEST_DAYS)",
)
def request_create(request: AuthedRequest, payload: RequestIn) -> Status:
    row = services.subject_request_create(actor=request.user, data=payload_data(payload))
    return Status(201, request_out(row))


@router.get(
    "/privacy/requests/{request_id}",
    response={200: RequestOut, **errors(403, 404, 422)},
    summary="One request",
)
def request_detail(request: AuthedRequest, request_id: int) -> dict[str, Any]:
    return request_out(_request_for(request, request_id))


@router.patch(
    "/privacy/requests/{request_id}",
    response={200: RequestOut, **errors(403, 404, 422)},
    summary="Change a request's status or note",
)
def request_update(request: AuthedRequest, request_id: int, payload: RequestPatch) -> Any:
    row = _request_for(request, request_id)
    row = services.subject_request_update(
        actor=request.user, request=row, data=payload_data(payload)
    )
    return request_out(row)


@router.get(
    "/privacy/requests/{request_id}/holdings",
    response={200: HoldingsOut, **errors(403, 404, 422)},
    summary="What is held about the request's person (found by phone, e-mail or name)",
)
def request_holdings(request: AuthedRequest, request_id: int) -> dict[str, Any]:
    held = _find(_request_for(request, request_id))
    return {
        "counts": held.counts(),
        "customers": [c.customer_no for c in held.customers],
        "contacts": [c.pk for c in held.contacts],
        "leads": [lead.pk for lead in held.leads],
    }


@router.get(
    "/privacy/requests/{request_id}/export",
    response={200: None, **errors(403, 404, 422)},
    summary="Everything held about the person, as machine-readable JSON (a download)",
)
def request_export(request: AuthedRequest, request_id: int) -> HttpResponse:
    row = _request_for(request, request_id)
    data = services.person_export(actor=request.user, request=row, held=_find(row))
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="personal-data-{row.pk}.json"'
    return response


@router.post(
    "/privacy/requests/{request_id}/correct",
    response={200: RequestOut, **errors(202, 403, 404, 409, 422)},
    summary="Correct one of the person's records through its own service",
)
def request_correct(request: AuthedRequest, request_id: int, payload: CorrectIn) -> Any:
    row = _request_for(request, request_id)
    services.person_correct(
        actor=request.user,
        request=row,
        held=_find(row),
        contact_id=payload.contact_id,
        customer_no=payload.customer_no,
        values=payload.values,
    )
    return request_out(row)


@router.post(
    "/privacy/requests/{request_id}/erase",
    response={200: RequestOut, **errors(403, 404, 422)},
    summary="Erase the person: anonymised in place, identity gone (cannot be undone)",
)
def request_erase(request: AuthedRequest, request_id: int, payload: EraseIn) -> Any:
    row = _request_for(request, request_id)
    if not payload.confirm:
        raise ValidationFailed({"confirm": [_("Confirm the erasure: it cannot be undone.")]})
    services.person_erase(actor=request.user, request=row, held=_find(row))
    return request_out(subject_request_get(row.pk))


# --- Retention policies ------------------------------------------------------------------------


class PolicyOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    days: int
    is_enabled: bool
    last_run_at: datetime | None


class PolicyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    kind: str = Field(description="lost_customers, stale_leads, import_files or read_audit")
    days: int
    is_enabled: bool = False


class PolicyPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    days: int | None = None
    is_enabled: bool | None = None


class RunIn(Schema):
    model_config = ConfigDict(extra="forbid")

    dry_run: bool = Field(True, description="true: only report what the policy would do")


class RunOut(Schema):
    id: int
    policy_id: int
    is_dry_run: bool
    started_at: datetime
    matched: int
    processed: int
    report: dict[str, Any]


def policy_out(policy: RetentionPolicy) -> dict[str, Any]:
    return {
        "id": policy.pk,
        "name": policy.name,
        "kind": policy.kind,
        "kind_label": policy.get_kind_display(),
        "days": policy.days,
        "is_enabled": policy.is_enabled,
        "last_run_at": policy.last_run_at,
    }


def run_out(run: RetentionRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "policy_id": run.policy_id,
        "is_dry_run": run.is_dry_run,
        "started_at": run.started_at,
        "matched": run.matched,
        "processed": run.processed,
        "report": run.report,
    }


@router.get(
    "/privacy/retention-policies",
    response={200: list[PolicyOut], **errors(403)},
    summary="Retention policies",
)
def policy_list(request: AuthedRequest) -> list[dict[str, Any]]:
    assert_privacy_role(request.user)
    return [policy_out(p) for p in retention_policies()]


@router.post(
    "/privacy/retention-policies",
    response={201: PolicyOut, **errors(403, 422)},
    summary="Add a retention policy",
)
def policy_create(request: AuthedRequest, payload: PolicyIn) -> Status:
    policy = services.retention_policy_save(actor=request.user, data=payload_data(payload))
    return Status(201, policy_out(policy))


@router.patch(
    "/privacy/retention-policies/{policy_id}",
    response={200: PolicyOut, **errors(403, 404, 422)},
    summary="Change a retention policy (days, name, enabled)",
)
def policy_update(request: AuthedRequest, policy_id: int, payload: PolicyPatch) -> Any:
    assert_privacy_role(request.user)
    policy = services.retention_policy_save(
        actor=request.user, data=payload_data(payload), policy=retention_policy_get(policy_id)
    )
    return policy_out(policy)


@router.post(
    "/privacy/retention-policies/{policy_id}/run",
    response={200: RunOut, **errors(403, 404, 422)},
    summary="Run a policy now, or preview it (dry_run, the default)",
)
def policy_run(request: AuthedRequest, policy_id: int, payload: RunIn) -> dict[str, Any]:
    assert_privacy_role(request.user)
    run = services.retention_run(
        policy=retention_policy_get(policy_id), dry_run=payload.dry_run, actor=request.user
    )
    return run_out(run)


@router.get(
    "/privacy/retention-policies/{policy_id}/runs",
    response={200: list[RunOut], **errors(403, 404, 422)},
    summary="A policy's runs (reports), newest first",
)
def policy_runs(request: AuthedRequest, policy_id: int) -> list[dict[str, Any]]:
    assert_privacy_role(request.user)
    policy = retention_policy_get(policy_id)
    return [run_out(run) for run in policy.runs.all()[:50]]
