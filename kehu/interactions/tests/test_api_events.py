"""Behaviour events: batch ingest, all or nothing, by customer number or external id, scoped."""

from __future__ import annotations

from django.test import override_settings

from kehu.audit.models import AuditEntry
from kehu.interactions.models import BehaviourEvent

URL = "/api/v1/events"


def state() -> tuple[int, int]:
    return BehaviourEvent.objects.count(), AuditEntry.objects.count()


def test_batch_by_customer_no_and_external_id(api, rep, customer_factory):
    first = customer_factory()
    second = customer_factory(external_id="CRM-42")
    contact = first.contacts.get()
    api.login(rep)
    response = api.post(
        URL,
        {
            "events": [
                {
                    "customer_no": first.customer_no.lower(),
                    "contact_id": contact.pk,
                    "kind": "网站访问",
                    "occurred_at": "2026-03-05 10:00",
                    "properties": {"url": "/pricing"},
                },
                {"external_id": "CRM-42", "kind": "email_open", "occurred_at": "2026/3/5 11:00"},
                {"customer_no": first.customer_no, "kind": "下载", "occurred_at": "2026-03-06"},
            ]
        },
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"accepted": 3}
    assert first.events.count() == 2
    assert second.events.get().kind == "email_open"
    visit = first.events.get(kind="web_visit")
    assert visit.properties == {"url": "/pricing"}
    assert visit.contact == contact
    listed = api.get(f"/api/v1/customers/{first.customer_no}/events").json()["items"]
    assert [e["kind"] for e in listed] == ["download", "web_visit"]
    entry = AuditEntry.objects.get(action="events.ingested")
    assert entry.changes == {"count": 3}
    assert entry.actor == rep
    assert entry.source == "api"


def test_one_bad_event_rejects_the_batch_naming_it(api, rep, customer_factory, outsider):
    customer = customer_factory()
    other_contact = customer_factory(actor=outsider).contacts.get()
    api.login(rep)
    before = state()
    response = api.post(
        URL,
        {
            "events": [
                {
                    "customer_no": customer.customer_no,
                    "kind": "web_visit",
                    "occurred_at": "2026-03-05",
                },
                {"customer_no": customer.customer_no, "kind": "传真", "occurred_at": "2026-03-05"},
                {"customer_no": "CX000000000000", "kind": "web_visit", "occurred_at": "2026-03-05"},
                {"customer_no": customer.customer_no, "kind": "web_visit"},
                {
                    "customer_no": customer.customer_no,
                    "kind": "web_visit",
                    "occurred_at": "2026-02-30",
                    "contact_id": other_contact.pk,
                },
            ]
        },
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {
        "events[1].kind",
        "events[2].customer_no",
        "events[3].occurred_at",
        "events[4].occurred_at",
        "events[4].contact_id",
    }
    assert state() == before


def test_schema_errors_name_the_event(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    before = state()
    response = api.post(
        URL,
        {
            "events": [
                {
                    "customer_no": customer.customer_no,
                    "kind": "web_visit",
                    "occurred_at": "2026-03-05",
                },
                {
                    "customer_no": customer.customer_no,
                    "kind": "web_visit",
                    "occurred_at": "2026-03-05",
                    "properties": "not an object",
                },
            ]
        },
    )
    assert response.status_code == 422
    assert "events[1].properties" in response.json()["errors"]
    typo = api.post(
        URL,
        {"events": [{"customer_no": customer.customer_no, "kind": "web_visit", "occured_at": "x"}]},
    )
    assert typo.status_code == 422
    assert "events[0].occured_at" in typo.json()["errors"]
    assert state() == before


def test_events_cannot_attach_to_customers_outside_scope(api, outsider, customer_factory):
    customer = customer_factory(external_id="CRM-7")
    api.login(outsider)
    before = state()
    response = api.post(
        URL,
        {
            "events": [
                {
                    "customer_no": customer.customer_no,
                    "kind": "web_visit",
                    "occurred_at": "2026-03-05",
                },
                {"external_id": "CRM-7", "kind": "web_visit", "occurred_at": "2026-03-05"},
            ]
        },
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"events[0].customer_no", "events[1].customer_no"}
    assert state() == before


def test_read_only_roles_cannot_ingest(api, executive, customer_factory):
    customer = customer_factory()
    api.login(executive)
    before = state()
    response = api.post(
        URL,
        {
            "events": [
                {
                    "customer_no": customer.customer_no,
                    "kind": "web_visit",
                    "occurred_at": "2026-03-05",
                }
            ]
        },
    )
    assert response.status_code == 403
    assert state() == before


@override_settings(KEHU_EVENT_BATCH_MAX=2)
def test_batch_size_is_limited(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    event = {"customer_no": customer.customer_no, "kind": "web_visit", "occurred_at": "2026-03-05"}
    response = api.post(URL, {"events": [event] * 3})
    assert response.status_code == 422
    assert "events" in response.json()["errors"]
    assert BehaviourEvent.objects.count() == 0
