"""Wipe the training sandbox before `kehu demo --reset` loads it again.

This is a maintenance operation on the database as a whole — like a migration or Django's
flush — not a person's change of a record, so it is the one module outside the apps' services
that the write-path check allows to delete their rows (kehu/core/write_path.py).
The dictionaries that migrations seed (industries, sources, rules) are kept.
"""

from __future__ import annotations

from django.db import transaction

from kehu.accounts.models import ApiToken, Team, User
from kehu.audit.models import AuditEntry
from kehu.core.models import Counter, Job
from kehu.customers.models import Customer


@transaction.atomic
def sandbox_wipe(*, usernames: list[str], teams: list[str]) -> None:
    Customer.objects.all().delete()
    AuditEntry.objects.all().delete()
    Counter.objects.all().delete()
    Job.objects.all().delete()
    ApiToken.objects.all().delete()
    User.objects.filter(username__in=usernames).delete()
    Team.objects.filter(name__in=teams).delete()
