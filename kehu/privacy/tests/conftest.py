from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import Role, User
from kehu.conftest import make_user


@pytest.fixture
def steward(db: Any) -> User:
    return make_user("steward", Role.STEWARD, None)
