"""Issue 14.20: lock-out counts per user as well as per user and address.

Guesses spread over many addresses must lock the account once they reach the per-user limit
(KEHU_LOGIN_USER_FAILURE_LIMIT), while one address is still locked after the lower per-address
limit (KEHU_LOGIN_FAILURE_LIMIT).
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client

from kehu.audit.models import AuditEntry

PASSWORD = "pass-for-tests-2026"


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.KEHU_LOGIN_FAILURE_LIMIT = 3
    settings.KEHU_LOGIN_USER_FAILURE_LIMIT = 6


def attempt(username: str, password: str, address: str) -> Any:
    return Client(REMOTE_ADDR=address).post("/login/", {"username": username, "password": password})


def test_failures_from_many_addresses_lock_the_user(rep, rep2):
    for n in range(5):
        assert attempt("rep", "wrong", f"203.0.113.{n}").status_code == 200
    attempt("rep", "wrong", "203.0.113.5")  # the sixth failure, each from its own address
    locked = attempt("rep", PASSWORD, "198.51.100.7")
    assert locked.status_code == 429
    assert not AuditEntry.objects.filter(action="user.logged_in").exists()
    # Another user, from one of the same addresses, is not affected.
    assert attempt("rep2", PASSWORD, "203.0.113.1").status_code == 302


def test_fewer_failures_than_the_user_limit_spread_over_addresses_do_not_lock(rep):
    for n in range(5):
        attempt("rep", "wrong", f"203.0.113.{n}")
    assert attempt("rep", PASSWORD, "198.51.100.7").status_code == 302


def test_one_address_is_locked_at_the_lower_limit(rep):
    for _n in range(3):
        attempt("rep", "wrong", "203.0.113.9")
    assert attempt("rep", PASSWORD, "203.0.113.9").status_code == 429
    assert attempt("rep", PASSWORD, "198.51.100.7").status_code == 302


def _settings_in_a_fresh_process(tmp_path: Any, **env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kehu.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.KEHU_LOGIN_FAILURE_LIMIT, s.KEHU_LOGIN_USER_FAILURE_LIMIT,"
        " s.AXES_LOCKOUT_PARAMETERS)"
    )
    full_env = {**os.environ, "KEHU_DATA_DIR": str(tmp_path), **env}
    full_env.pop("KEHU_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", code], env=full_env, capture_output=True, text=True
    )


def test_limits_come_from_the_environment(tmp_path):
    result = _settings_in_a_fresh_process(
        tmp_path, KEHU_LOGIN_FAILURE_LIMIT="4", KEHU_LOGIN_USER_FAILURE_LIMIT="40"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["4", "40"]
    assert "'username'" in result.stdout and "'ip_address'" in result.stdout
    bad = _settings_in_a_fresh_process(tmp_path, KEHU_LOGIN_USER_FAILURE_LIMIT="many")
    assert bad.returncode != 0 and "KEHU_LOGIN_USER_FAILURE_LIMIT" in bad.stderr
