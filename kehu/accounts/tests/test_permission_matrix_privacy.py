"""Who handles personal-data requests and retention policies (issue 19): the data steward and
administrators; every other role gets 403 and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import Role
from kehu.accounts.policy import can_handle_privacy
from kehu.audit.models import AuditEntry
from kehu.conftest import make_user
from kehu.privacy.models import RetentionPolicy, SubjectRequest

pytestmark = pytest.mark.django_db

ALLOWED = {Role.STEWARD, Role.ADMIN}
READS = ("/api/v1/privacy/requests", "/api/v1/privacy/retention-policies")


@pytest.mark.parametrize("role", list(Role))
def test_privacy_register_per_role(api: Any, role: Role) -> None:
    user = make_user(f"matrix-{role}", role, None)
    assert can_handle_privacy(user) is (role in ALLOWED)
    api.login(user)
    for url in READS:
        assert api.get(url).status_code == (200 if role in ALLOWED else 403), (role, url)
    page = api.client.get("/privacy/requests/")
    assert page.status_code == (200 if role in ALLOWED else 403)
    entries = AuditEntry.objects.count()
    made = api.post("/api/v1/privacy/requests", {"kind": "access", "email": "a@example.cn"})
    assert made.status_code == (201 if role in ALLOWED else 403)
    policy = RetentionPolicy.objects.first()
    assert policy is not None
    run = api.post(f"/api/v1/privacy/retention-policies/{policy.pk}/run", {})
    assert run.status_code == (200 if role in ALLOWED else 403)
    if role not in ALLOWED:
        assert AuditEntry.objects.count() == entries
        assert SubjectRequest.objects.count() == 0
