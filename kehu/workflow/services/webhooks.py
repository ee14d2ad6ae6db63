"""Webhook subscriptions: an administrator subscribes a URL to customer, contact, interaction,
opportunity, order and task events. Each event becomes a delivery (its JSON body fixed when the
event is seen), signed with HMAC-SHA256 of the body under the subscription's secret
(`X-Kehu-Signature: sha256=<hex>`), sent by the task worker with retries and exponential
back-off; every attempt's status code, response time and error stay in the delivery log."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.models import AuditEntry
from kehu.audit.services import audit_record, diff_fields
from kehu.core.errors import ValidationFailed
from kehu.core.text import clean_text
from kehu.customers.models import Customer

from ..models import Webhook, WebhookDelivery
from .rules import assert_can_manage

if TYPE_CHECKING:
    from .actions import Target

TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 30  # 30 s, 1 min, 2 min, 4 min between the five attempts
TOPIC_OF_PREFIX = {
    "customer": Webhook.Topic.CUSTOMER,
    "lead": Webhook.Topic.CUSTOMER,
    "contact": Webhook.Topic.CONTACT,
    "interaction": Webhook.Topic.INTERACTION,
    "opportunity": Webhook.Topic.OPPORTUNITY,
    "order": Webhook.Topic.ORDER,
    "followup": Webhook.Topic.TASK,
    "task": Webhook.Topic.TASK,
}
FIELDS = ("name", "url", "topics", "is_enabled")


def event_topic(action: str) -> str | None:
    return TOPIC_OF_PREFIX.get(action.partition(".")[0])


# --- Subscriptions


def _clean(data: dict[str, Any], webhook: Webhook | None) -> dict[str, Any]:
    values = {name: getattr(webhook, name) for name in FIELDS} if webhook else {}
    values.update({name: data[name] for name in FIELDS if name in data})
    name = clean_text(values.get("name") or "")
    if not name:
        raise ValidationFailed({"name": [_("Name the webhook.")]})
    url = str(values.get("url") or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationFailed({"url": [_("Enter an http or https URL.")]}) from None
    topics = values.get("topics") or []
    if (
        not isinstance(topics, list)
        or not topics
        or any(t not in Webhook.Topic.values for t in topics)
    ):
        raise ValidationFailed(
            {
                "topics": [
                    _("One or more of: %(values)s.") % {"values": ", ".join(Webhook.Topic.values)}
                ]
            }
        )
    return {
        "name": name[:200],
        "url": url[:500],
        "topics": sorted(set(topics)),
        "is_enabled": bool(values.get("is_enabled", True)),
    }


def _snapshot(webhook: Webhook) -> dict[str, Any]:
    return {name: getattr(webhook, name) for name in FIELDS}


@transaction.atomic
def webhook_create(*, actor: User, data: dict[str, Any]) -> Webhook:
    """A new subscription (administrators) with a fresh secret; one audit entry."""
    assert_can_manage(actor)
    webhook = Webhook.objects.create(secret=secrets.token_hex(24), **_clean(data, None))
    audit_record(
        actor=actor,
        action=AuditAction.WEBHOOK_CREATED,
        target=webhook,
        changes=diff_fields({}, _snapshot(webhook)),
    )
    return webhook


@transaction.atomic
def webhook_update(
    *, actor: User, webhook: Webhook, data: dict[str, Any], new_secret: bool = False
) -> Webhook:
    assert_can_manage(actor)
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    before = _snapshot(webhook)
    for name, value in _clean(data, webhook).items():
        setattr(webhook, name, value)
    changes: dict[str, Any] = diff_fields(before, _snapshot(webhook))
    if new_secret:
        webhook.secret = secrets.token_hex(24)
        changes["secret"] = ["…", "…"]  # never the secret itself
    if changes:
        webhook.save()
        audit_record(
            actor=actor, action=AuditAction.WEBHOOK_CHANGED, target=webhook, changes=changes
        )
    return webhook


@transaction.atomic
def webhook_delete(*, actor: User, webhook: Webhook) -> None:
    assert_can_manage(actor)
    audit_record(
        actor=actor,
        action=AuditAction.WEBHOOK_DELETED,
        target=webhook,
        changes=diff_fields(_snapshot(webhook), {}),
    )
    webhook.delete()


# --- Payloads and deliveries


def entry_payload(entry: AuditEntry, customer_no: str | None) -> dict[str, Any]:
    """The JSON an event sends: what an administrator's export shows, nothing more."""
    model = entry.target_type.partition(".")[2]
    return {
        "event": entry.action,
        "time": entry.created_at.isoformat(),
        "sequence": entry.seq,
        "object": {"type": model, "id": entry.target_id, "label": entry.target_label},
        "customer": (
            {"id": entry.customer_id, "customer_no": customer_no} if entry.customer_id else None
        ),
        "actor": entry.actor_name,
        "changes": entry.changes or {},
        "note": entry.note,
    }


def _body(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)


def _queue(deliveries: list[WebhookDelivery]) -> None:
    from ..tasks import webhook_deliver

    ids = [delivery.pk for delivery in deliveries]

    def enqueue() -> None:
        for delivery_id in ids:
            webhook_deliver.enqueue(delivery_id=delivery_id)

    if ids:
        transaction.on_commit(enqueue)


def deliveries_for_entry(webhooks: list[Webhook], entry: AuditEntry) -> list[WebhookDelivery]:
    """One delivery per enabled subscription to this entry's topic, queued on commit."""
    topic = event_topic(entry.action)
    subscribed = [w for w in webhooks if topic and topic in w.topics]
    if not subscribed:
        return []
    number = None
    if entry.customer_id:
        number = (
            Customer.objects.filter(pk=entry.customer_id)
            .values_list("customer_no", flat=True)
            .first()
        )
    body = _body(entry_payload(entry, number))
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=w, event=entry.action, audit_seq=entry.seq, body=body)
        for w in subscribed
    )
    _queue(deliveries)
    return deliveries


def deliveries_for_rule(*, webhook_id: int, target: Target) -> WebhookDelivery | None:
    """A rule's "call a webhook" action: the event that fired it, to this subscription."""
    webhook = Webhook.objects.filter(pk=webhook_id, is_enabled=True).first()
    if webhook is None:
        return None
    customer = target.customer
    event = target.event or "rule.fired"
    payload: dict[str, Any] = {
        "event": event,
        "time": timezone.now().isoformat(),
        "sequence": target.audit_seq,
        "object": {
            "type": target.obj._meta.model_name,
            "id": str(target.obj.pk),
            "label": target.label,
        },
        "customer": {"id": customer.pk, "customer_no": customer.customer_no} if customer else None,
    }
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event=event, audit_seq=target.audit_seq, body=_body(payload)
    )
    _queue([delivery])
    return delivery


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post(webhook: Webhook, body: bytes, event: str) -> tuple[int | None, str]:
    request = urllib.request.Request(
        webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Kehu-Webhook/1",
            "X-Kehu-Event": event,
            "X-Kehu-Signature": signature(webhook.secret, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, str(reason)[:500]


def delivery_attempt(delivery_id: int, *, retry: bool = True) -> WebhookDelivery | None:
    """Send the delivery once and log the attempt. On failure (no answer, or not 2xx) it is
    marked retrying with its next attempt after BACKOFF_SECONDS × 2^(attempt-1), until
    MAX_ATTEMPTS, then failed; the caller queues the retry (tasks.webhook_deliver)."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (
        WebhookDelivery.Status.DELIVERED,
        WebhookDelivery.Status.FAILED,
    ):
        return None
    started = time.monotonic()
    code, error = _post(delivery.webhook, delivery.body.encode(), delivery.event)
    elapsed = int((time.monotonic() - started) * 1000)
    delivery.attempt += 1
    delivery.status_code = code
    delivery.response_ms = elapsed
    delivery.error = error
    delivery.attempted_at = timezone.now()
    delivery.next_attempt_at = None
    if code is not None and 200 <= code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
    elif retry and delivery.attempt < MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.RETRYING
        delivery.next_attempt_at = delivery.attempted_at + timedelta(
            seconds=BACKOFF_SECONDS * 2 ** (delivery.attempt - 1)
        )
    else:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save()
    return delivery


@transaction.atomic
def webhook_test_create(*, actor: User, webhook: Webhook) -> WebhookDelivery:
    """The "send test" button: a webhook.test delivery, audited; the caller sends it once."""
    assert_can_manage(actor)
    payload = {
        "event": "webhook.test",
        "time": timezone.now().isoformat(),
        "object": {"type": "webhook", "id": str(webhook.pk), "label": webhook.name},
        "actor": actor.get_username(),
    }
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="webhook.test", body=_body(payload)
    )
    audit_record(actor=actor, action=AuditAction.WEBHOOK_TESTED, target=webhook)
    return delivery
