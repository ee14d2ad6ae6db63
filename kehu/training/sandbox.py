"""What a workspace holds: the sandbox (`kehu demo`, small and seeded) in the template, then per
workspace its trainee's own user row and the records the drills need (planted with the apps'
services, dated today, so "this quarter" always has data): the merge drill's duplicate pair,
the analysis drill's quarter, the hand-over drill's departing colleague with a customer, an open
opportunity and a task, and the export drill's two exports in the audit log (one suspicious).
The import and card drills plant nothing: their files are kehu.training.materials."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

from django.conf import settings
from django.core.management import call_command

from kehu.accounts.models import Role, Team, User
from kehu.accounts.services import user_mirror
from kehu.accounts.users import user_create
from kehu.audit.actions import AuditAction
from kehu.audit.models import ReadEntry
from kehu.audit.services import audit_record, read_record
from kehu.core.middleware import current_source, set_source
from kehu.customers.models import Customer, Source
from kehu.customers.services import customer_create
from kehu.dedupe.services import pair_mark_for
from kehu.interactions.services.followups import followup_create
from kehu.opportunities.services import opportunity_create

from .databases import SANDBOX_ID_START, SANDBOX_SEED

# The merge drill's planted pair: one name, twice; the first one is 成交.
DUPLICATE_NAME = "苏州培训精工机械有限公司"
DUPLICATE_TYPED = "苏州培训精工机械 有限公司"
# The analysis drill's customers of this quarter: (source position, how many, how many won).
QUARTER_MIX = ((0, 4, 1), (1, 3, 2), (2, 3, 0))
# The hand-over drill: a rep who leaves, the colleague who takes over, the key customer.
LEAVING = {"username": "train-luoxj", "display_name": "罗晓军"}
SUCCESSOR = {"username": "train-wangjing", "display_name": "王静"}
DECOY = {"username": "train-zhaopeng", "display_name": "赵鹏"}  # a colleague, not the one named
HANDOVER_NAME = "常州培训交接精密轴承有限公司"
# The export drill: who exported every customer, and an ordinary filtered export.
EXPORTER = {"username": "train-fengxd", "display_name": "冯晓东"}


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
        _plant_handover(admin, trainee, team)
        _plant_exports(admin, team)
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


def _colleague(admin: User, data: dict[str, str], team: Team | None) -> User:
    user, _password = user_create(
        actor=admin,
        data={**data, "role": Role.REP, "team": team.pk if team is not None else ""},
    )
    return user


def _drill_team(trainee: User, team: Team | None) -> Team | None:
    """The trainee's team (a manager hands over within it), else the sandbox's first team."""
    if team is not None:
        return team
    return Team.objects.filter(pk__gte=SANDBOX_ID_START).order_by("id").first()


def _plant_handover(admin: User, trainee: User, team: Team | None) -> None:
    """罗晓军 leaves: his key customer, with an open opportunity and an open task, is to go to
    王静 (the scenario names her); 赵鹏 is another colleague of the team."""
    team = _drill_team(trainee, team)
    leaving = _colleague(admin, LEAVING, team)
    _colleague(admin, SUCCESSOR, team)
    _colleague(admin, DECOY, team)
    customer = customer_create(
        actor=admin,
        data={
            "name": HANDOVER_NAME,
            "owner": leaving.username,
            "phone": "0519-86001234",
            "decision_maker": {"name": "蒋文斌", "title": "总经理", "mobile": "13961201234"},
        },
    )
    opportunity_create(
        actor=admin,
        customer=customer,
        data={"title": "2027年度轴承采购", "stage": "proposal", "owner": leaving.username},
    )
    followup_create(
        actor=admin, customer=customer, kind="call", title="回访报价反馈", owner=leaving
    )


def _plant_exports(admin: User, team: Team | None) -> None:
    """Two exports in the audit log, as kehu.intake.exports.customer_export records them: a
    manager's small filtered CSV (ordinary work) and 冯晓东's every customer to Excel."""
    exporter = _colleague(admin, EXPORTER, _drill_team(admin, team))
    manager = User.objects.filter(role=Role.MANAGER, pk__gte=SANDBOX_ID_START).order_by("id")
    ordinary = manager.first() or admin
    everyone = Customer.objects.count()
    for actor, file_format, rows, filters in (
        (ordinary, "csv", 8, {"status": "won", "owner": "me"}),
        (exporter, "xlsx", everyone, {}),
    ):
        audit_record(
            actor=actor,
            action=AuditAction.CUSTOMERS_EXPORTED,
            changes={"format": file_format, "rows": rows, "filters": filters},
        )
        read_record(
            actor=actor,
            kind=ReadEntry.Kind.EXPORT,
            query=json.dumps({"format": file_format, **filters}, ensure_ascii=False),
            rows=rows,
        )
