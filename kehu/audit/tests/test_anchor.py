"""Audit anchoring: a daily Ed25519-signed checkpoint of the hash chain, kept outside the
database, proves that no entry up to it was rewritten, even by someone who can write the
database and recomputes the whole chain after the entry they changed."""

from __future__ import annotations

import base64
import json
import os
import stat
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError

from kehu.audit.models import AuditCheckpoint, AuditEntry
from kehu.audit.services import entry_hash
from kehu.audit.services.anchor import canonical
from kehu.audit.services.anchor_keys import fingerprint, public_raw
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def anchor(settings, tmp_path):
    settings.KEHU_AUDIT_SIGNING_KEY = ""
    settings.KEHU_AUDIT_SIGNING_KEY_FILE = tmp_path / "keys" / "audit-signing.key"
    settings.KEHU_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    settings.KEHU_AUDIT_CHECKPOINT_WEBHOOK = ""
    settings.KEHU_AUDIT_CHECKPOINT_STRIDE = 1
    return tmp_path


@pytest.fixture
def logged(customer_factory, api, rep):
    """A few entries: a customer created and changed twice."""
    customer = customer_factory(name="锚定测试有限公司")
    api.login(rep)
    for n in range(3):
        api.patch(f"/api/v1/customers/{customer.customer_no}", {"notes": f"第{n}次修改"})
    return list(AuditEntry.objects.order_by("seq"))


def checkpoint() -> tuple[AuditCheckpoint, Path, dict]:
    call_command("audit_checkpoint", stdout=StringIO())
    row = AuditCheckpoint.objects.order_by("-id").first()
    assert row is not None
    from django.conf import settings

    path = Path(settings.KEHU_AUDIT_CHECKPOINT_DIR) / row.file_name
    return row, path, json.loads(path.read_text())


def verify(*args: str) -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def rewrite_and_rechain(seq: int, note: str) -> None:
    """What an attacker with write access to the database does: change an old entry, then
    recompute every hash after it so that the chain verifies again."""
    previous = AuditEntry.objects.get(seq=seq - 1).entry_hash if seq > 1 else ""
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        if entry.seq == seq:
            entry.note = note
        entry.prev_hash = previous
        entry.entry_hash = entry_hash(entry)
        AuditEntry.objects.filter(pk=entry.pk).update(
            note=entry.note, prev_hash=entry.prev_hash, entry_hash=entry.entry_hash
        )
        previous = entry.entry_hash


def test_checkpoint_is_signed_outside_the_database(anchor, logged):
    last = logged[-1]
    row, path, document = checkpoint()
    assert document["seq"] == last.seq and document["entry_hash"] == last.entry_hash
    assert row.seq == last.seq and row.file_name == path.name
    key_file = anchor / "keys" / "audit-signing.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "PRIVATE KEY" in key_file.read_text()
    # The key is nowhere in the database: the row and its audit entry carry the fingerprint.
    private_pem = key_file.read_text().strip().splitlines()[1]
    assert private_pem not in json.dumps(list(AuditEntry.objects.values_list("changes", flat=True)))
    recorded = AuditEntry.objects.get(action="audit.checkpoint_signed")
    assert recorded.seq == last.seq + 1
    assert recorded.changes["seq"] == last.seq
    assert recorded.changes["key_fingerprint"] == document["key_fingerprint"] == row.key_fingerprint
    assert set(document["milestones"]) == {str(e.seq) for e in logged}


def test_untouched_log_verifies_with_the_checkpoint(anchor, logged):
    _row, path, _document = checkpoint()
    code, output = verify("--checkpoint", str(path))
    assert code == 0, output
    assert f"entries #1..#{logged[-1].seq} are as they were signed" in output


def test_rewrite_with_a_recomputed_chain_is_named(anchor, logged):
    _row, path, _document = checkpoint()
    rewrite_and_rechain(2, "悄悄改掉")
    # The hash chain alone cannot see it: every link holds again.
    code, output = verify()
    assert code == 0, output
    code, output = verify("--checkpoint", str(path))
    assert code == 1
    assert "entry #2 was rewritten" in output, output


def test_rewrite_is_named_within_the_stride(anchor, logged, settings):
    settings.KEHU_AUDIT_CHECKPOINT_STRIDE = 3
    _row, path, document = checkpoint()
    assert set(document["milestones"]) == {str(e.seq) for e in logged if e.seq % 3 == 0}
    rewrite_and_rechain(2, "改")
    code, output = verify("--checkpoint", str(path))
    assert code == 1
    assert "an entry in #1..#3 was rewritten" in output, output


def test_later_checkpoints_and_a_folder_narrow_it_down(anchor, logged, api, rep, settings):
    settings.KEHU_AUDIT_CHECKPOINT_STRIDE = 1000
    checkpoint()
    customer = Customer.objects.get()
    response = api.login(rep).patch(f"/api/v1/customers/{customer.customer_no}", {"notes": "再改"})
    assert response.status_code == 200
    second, _path, document = checkpoint()
    assert document["previous"]["seq"] == logged[-1].seq
    assert second.seq == logged[-1].seq + 2  # its own record, then the change
    rewrite_and_rechain(logged[-1].seq + 1, "改")
    # The first checkpoint still matches; the second names the entries since the first.
    code, output = verify("--checkpoint", str(anchor / "checkpoints"))
    assert code == 1
    assert f"an entry in #{logged[-1].seq + 1}..#{second.seq} was rewritten" in output, output


def test_deleted_entries_after_the_checkpoint_are_named(anchor, logged):
    _row, path, _document = checkpoint()
    AuditEntry.objects.filter(seq__gte=logged[-1].seq).delete()
    code, output = verify("--checkpoint", str(path))
    assert code == 1
    assert f"#{logged[-1].seq}" in output and "deleted" in output


def test_forged_checkpoints_are_refused(anchor, logged):
    _row, path, document = checkpoint()
    rewrite_and_rechain(2, "悄悄改掉")
    # The attacker makes the file match the rewritten database, keeping the old signature ...
    forged = dict(document)
    forged["entry_hash"] = AuditEntry.objects.get(seq=document["seq"]).entry_hash
    forged["milestones"] = {}
    path.write_text(json.dumps(forged))
    code, output = verify("--checkpoint", str(path))
    assert code == 1 and "signature does not match" in output, output
    # ... or signs it with a key of their own.
    theirs = Ed25519PrivateKey.generate()
    forged["public_key"] = base64.b64encode(public_raw(theirs.public_key())).decode()
    forged["key_fingerprint"] = fingerprint(theirs.public_key())
    forged["signature"] = base64.b64encode(theirs.sign(canonical(forged))).decode()
    path.write_text(json.dumps(forged))
    code, output = verify("--checkpoint", str(path))
    assert code == 1 and "signed by another key" in output, output
    # A file that is not a checkpoint at all.
    path.write_text("{}")
    code, output = verify("--checkpoint", str(path))
    assert code == 1 and "not a Kehu audit checkpoint" in output


def test_verify_with_the_public_key_alone(anchor, logged, settings):
    _row, path, _document = checkpoint()
    out = StringIO()
    call_command("audit_checkpoint", "--public-key", stdout=out)
    public = out.getvalue().splitlines()[0]
    key_copy = anchor / "public.key"
    key_copy.write_text(public)
    settings.KEHU_AUDIT_SIGNING_KEY_FILE = anchor / "elsewhere.key"  # not on this machine
    code, output = verify("--checkpoint", str(path))
    assert code == 1 and "No audit signing key" in output
    code, output = verify("--checkpoint", str(path), "--public-key", str(key_copy))
    assert code == 0, output


def test_key_from_the_environment_and_unsafe_key_files(anchor, logged, settings):
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes_raw()
    settings.KEHU_AUDIT_SIGNING_KEY = base64.b64encode(raw).decode()
    _row, _path, document = checkpoint()
    assert document["key_fingerprint"] == fingerprint(key.public_key())
    assert not (anchor / "keys").exists()  # no key file written
    settings.KEHU_AUDIT_SIGNING_KEY = ""
    loose = anchor / "loose.key"
    loose.write_text("-----BEGIN PRIVATE KEY-----\n")
    os.chmod(loose, 0o644)
    settings.KEHU_AUDIT_SIGNING_KEY_FILE = loose
    with pytest.raises(CommandError, match="chmod 600"):
        call_command("audit_checkpoint", stdout=StringIO())


def test_no_checkpoint_over_a_broken_chain(anchor, logged):
    AuditEntry.objects.filter(seq=2).update(note="改")
    with pytest.raises(CommandError, match="entry #2"):
        call_command("audit_checkpoint", stdout=StringIO())
    assert not AuditCheckpoint.objects.exists()
    assert (
        not list((anchor / "checkpoints").glob("*.json"))
        if (anchor / "checkpoints").exists()
        else True
    )


class Receiver:
    """A local HTTP server answering `code`, keeping the bodies it got."""

    def __init__(self, code: int) -> None:
        self.bodies: list[bytes] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                receiver.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/anchor"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_webhook_receives_the_signed_checkpoint(anchor, logged, settings):
    settings.KEHU_AUDIT_CHECKPOINT_DIR = ""
    receiver = Receiver(200)
    try:
        settings.KEHU_AUDIT_CHECKPOINT_WEBHOOK = receiver.url
        call_command("audit_checkpoint", stdout=StringIO())
    finally:
        receiver.close()
    row = AuditCheckpoint.objects.get()
    assert row.webhook == "sent" and row.file_name == ""
    received = json.loads(receiver.bodies[0])
    assert received["seq"] == row.seq and received["signature"] == row.signature
    copy = anchor / "received.json"
    copy.write_text(receiver.bodies[0].decode())
    code, output = verify("--checkpoint", str(copy))
    assert code == 0, output


def test_webhook_failure_is_recorded_and_exits_1(anchor, logged, settings):
    receiver = Receiver(500)
    try:
        settings.KEHU_AUDIT_CHECKPOINT_WEBHOOK = receiver.url
        with pytest.raises(SystemExit):
            call_command("audit_checkpoint", stdout=StringIO())
    finally:
        receiver.close()
    row = AuditCheckpoint.objects.get()
    assert row.webhook == "failed" and row.webhook_error == "HTTP 500"
    assert row.file_name  # the folder still got its copy


def test_daily_task_is_scheduled_and_writes_one(anchor, logged):
    from django_tasks_db.models import DBTaskResult

    from kehu.audit.tasks import audit_checkpoint_daily, audit_checkpoint_schedule

    assert audit_checkpoint_schedule() is True
    assert audit_checkpoint_schedule() is False  # one waits already
    queued = DBTaskResult.objects.get(task_path__endswith="audit_checkpoint_daily")
    assert queued.run_after is not None and queued.args_kwargs["kwargs"] == {"repeat": True}
    result = audit_checkpoint_daily.call()
    assert result["seq"] == logged[-1].seq
    assert AuditCheckpoint.objects.count() == 1


def test_page_and_api_list_checkpoints_for_log_readers(
    anchor, logged, client, api, admin_user, rep
):
    row, _path, _document = checkpoint()
    body = api.login(admin_user).get("/api/v1/audit/checkpoints").json()
    assert [item["seq"] for item in body["items"]] == [row.seq]
    assert body["items"][0]["key_fingerprint"] == row.key_fingerprint
    page = api.client.get("/audit/checkpoints/").content.decode()
    assert f"#{row.seq}" in page and row.key_fingerprint in page and row.file_name in page
    assert "签名密钥指纹" in page
    assert "/audit/checkpoints/" in api.client.get("/audit/").content.decode()
    api.login(rep)
    assert api.get("/api/v1/audit/checkpoints").status_code == 403
    assert api.client.get("/audit/checkpoints/").status_code == 403
