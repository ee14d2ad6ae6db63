"""Webhooks: signed JSON to a local HTTP server, retried after a 500, logged; admin only."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.audit.models import AuditEntry
from kehu.workflow.models import Webhook, WebhookDelivery
from kehu.workflow.services.webhooks import delivery_attempt

pytestmark = pytest.mark.django_db


class Receiver:
    """A local HTTP server answering the queued status codes, keeping what it got."""

    def __init__(self, codes: list[int]) -> None:
        self.codes = codes
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                code = receiver.codes.pop(0) if receiver.codes else 200
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def make(codes: list[int]) -> Receiver:
        made.append(Receiver(codes))
        return made[-1]

    yield make
    for item in made:
        item.close()


def test_customer_event_is_signed_and_retried_after_a_500(
    api, admin_user, customer_factory, receiver
) -> None:
    server = receiver([500, 200])
    api.login(admin_user)
    created = api.post(
        "/api/v1/webhooks", {"name": "ERP", "url": server.url, "topics": ["customer"]}
    )
    assert created.status_code == 201, created.content
    hook = created.json()
    assert AuditEntry.objects.filter(action="webhook.created").exists()
    customer = customer_factory(name="钩子测试有限公司")
    call_command("workflow_tick", verbosity=0)
    delivery = WebhookDelivery.objects.get(webhook_id=hook["id"], event="customer.created")
    first = delivery_attempt(delivery.pk)
    assert first is not None
    assert first.status == "retrying" and first.status_code == 500 and first.attempt == 1
    assert first.next_attempt_at is not None and first.attempted_at is not None
    assert (first.next_attempt_at - first.attempted_at).total_seconds() == 30
    second = delivery_attempt(delivery.pk)
    assert second is not None and second.status == "delivered" and second.attempt == 2
    headers, body = server.received[-1]
    expected = hmac.new(hook["secret"].encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Kehu-Signature"] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["event"] == "customer.created"
    assert payload["customer"]["customer_no"] == customer.customer_no
    log = api.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()
    assert log[0]["status"] == "delivered" and log[0]["response_ms"] is not None


def test_unsubscribed_topics_are_not_sent(api, admin_user, customer_factory, receiver) -> None:
    server = receiver([])
    api.login(admin_user)
    api.post("/api/v1/webhooks", {"name": "订单", "url": server.url, "topics": ["order"]})
    customer_factory(name="不订阅测试有限公司")
    call_command("workflow_tick", verbosity=0)
    assert not WebhookDelivery.objects.exists()


def test_send_test_button_and_api(client, api, admin_user, receiver) -> None:
    server = receiver([200, 503])
    api.login(admin_user)
    hook = api.post(
        "/api/v1/webhooks", {"name": "测试", "url": server.url, "topics": ["task"]}
    ).json()
    client.force_login(admin_user)
    page = client.post(f"/settings/webhooks/{hook['id']}/test/", follow=True)
    assert page.status_code == 200
    assert WebhookDelivery.objects.get(event="webhook.test").status == "delivered"
    tested = api.post(f"/api/v1/webhooks/{hook['id']}/test")
    assert tested.status_code == 200
    assert tested.json()["status"] == "failed" and tested.json()["status_code"] == 503
    detail = client.get(f"/settings/webhooks/{hook['id']}/")
    assert detail.status_code == 200 and "webhook.test" in detail.content.decode()


def test_webhooks_are_admin_only(api, manager, admin_user) -> None:
    api.login(manager)
    assert api.get("/api/v1/webhooks").status_code == 403
    refused = api.post(
        "/api/v1/webhooks", {"name": "x", "url": "http://127.0.0.1/", "topics": ["customer"]}
    )
    assert refused.status_code == 403
    assert not Webhook.objects.exists()
    api.login(admin_user)
    bad = api.post("/api/v1/webhooks", {"name": "x", "url": "ftp://x", "topics": ["customer"]})
    assert bad.status_code == 422


def test_audit_hook_queues_one_task_per_transaction(
    customer_factory, django_capture_on_commit_callbacks
) -> None:
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        customer_factory(name="队列测试一有限公司")
    queued = DBTaskResult.objects.filter(task_path__endswith="workflow_events", status="READY")
    assert queued.count() == 1
    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection):
        customer_factory(name="队列测试二有限公司")
    assert queued.count() == 1  # one is queued and not started: no second one


def test_the_periodic_tick_is_queued_once() -> None:
    from django_tasks_db.models import DBTaskResult

    from kehu.workflow.tasks import tick_schedule

    assert tick_schedule() is True
    assert tick_schedule() is False  # one is queued already
    queued = DBTaskResult.objects.get(task_path__endswith="workflow_tick_task")
    assert queued.run_after is not None and queued.args_kwargs["kwargs"] == {"repeat": True}
