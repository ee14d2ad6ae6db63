"""What the import services share: the state error, who may import, the maker fields."""

from __future__ import annotations

from typing import Any

from kehu.accounts.policy import can_create_customer
from kehu.core.errors import DomainError

from ..models import ImportRow

MAKER_FIELDS = ("name", "title", "mobile", "landline", "email")
Outcome = ImportRow.Outcome


class ImportStateError(DomainError):
    """This import cannot do that in its current state."""

    status_code = 409
    code = "import_state"


def can_import(user: Any) -> bool:
    return user is None or can_create_customer(user)
