"""What a workspace holds: the sandbox (`kehu demo`, small and seeded) in the template, then per
workspace its trainee's own user row and the records the drills need (planted with the apps'
services, dated today, so "this quarter" always has data)."""

from __future__ import annotations

from datetime import date
from io import StringIO

from django.conf import settings
from django.core.management import call_command

from kehu.accounts.models import Role, Team, User
from kehu.accounts.services import user_mirror
from kehu.core.middleware import current_source, set_source
from kehu.customers.models import Customer, Source
from kehu.customers.services import customer_create
from kehu.dedupe.services import pair_mark_for

from .databases import SANDBOX_ID_START, SANDBOX_SEED

# The merge drill's planted pair: one name, twice; the first one is 成交.
DUPLICATE_NAME = "苏州培训精工机械有限公司"
DUPLICATE_TYPED = "苏州培训精工机械 有限公司"
# The analysis drill's customers of this quarter: (source position, how many, how many won).
QUARTER_MIX = ((0, 4, 1), (1, 3, 2), (2, 3, 0))


def sandbox_fill() -> None:
    """Fill the template (kehu.training.databases.template_ensure): the `kehu demo` sandbox."""
    source = current_source()
    try:
        call_command(
            "demo",
            customers=settings.KEHU_TRAINING_SANDBOX_CUSTOMERS,
            seed=SANDBOX_SEED,
            stdout=StringIO(),
        )
    finally:
        set_source(source)


def sandbox_admin() -> User:
    return User.objects.filter(role=Role.ADMIN, pk__gte=SANDBOX_ID_START).order_by("id")[0]


def workspace_prepare(*, trainee: User, team: Team | None, today: date) -> None:
    """Inside a fresh copy: the trainee's row, then the drills' records."""
    source = current_source()
    try:
        user_mirror(user=trainee, team=team)
        admin = sandbox_admin()
        _plant_duplicate(admin)
        _plant_quarter(admin, today)
    finally:
        set_source(source)


def _plant_duplicate(admin: User) -> None:
    won = customer_create(
        actor=admin,
        data={
            "name": DUPLICATE_NAME,
            "status": Customer.Status.WON,
            "status_reason": "已签订年度合同",
            "phone": "0512-65001234",
            "decision_maker": {"name": "顾建华", "title": "采购经理", "mobile": "13912345678"},
        },
    )
    typed_again = customer_create(
        actor=admin,
        data={
            "name": DUPLICATE_TYPED,
            "address": "苏州市工业园区星湖街 88 号",
            "decision_maker": {"name": "顾建华", "title": "采购经理", "mobile": "13912345678"},
            "allow_duplicate": True,
        },
    )
    pair_mark_for(actor=admin, customer_a=won, customer_b=typed_again)


def _plant_quarter(admin: User, today: date) -> None:
    sources = list(Source.objects.filter(is_active=True).order_by("sort", "id")[:3])
    serial = 0
    for position, count, won in QUARTER_MIX:
        if position >= len(sources):
            continue
        for index in range(count):
            serial += 1
            customer_create(
                actor=admin,
                data={
                    "name": f"培训样本{serial:02d}号贸易有限公司",
                    "source": sources[position].name,
                    "first_contact_date": today.isoformat(),
                    "phone": f"0512-6610{serial:04d}",
                    "status": Customer.Status.WON if index < won else Customer.Status.LEAD,
                    "status_reason": "培训数据" if index < won else "",
                    "allow_duplicate": True,
                },
            )
