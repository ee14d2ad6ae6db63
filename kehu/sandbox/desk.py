"""The sandbox's desk (issue 16): for each rep, open and done tasks, some overdue, some due
today at a time, visits and meetings planned this week (the calendar), and a visit logged this
week whose next action became a task. Written through the services, so audited like real
work; deterministic (customers taken in number order)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from kehu.accounts.models import Role, User
from kehu.customers.models import Customer
from kehu.interactions.services import interaction_log
from kehu.interactions.services.followups import followup_complete, followup_create

REPS = 6  # the sandbox's reps (zhang, li, wang, zhao, chen, liu)

# (kind, title, days from today, time of day or None, done)
PLAN = (
    ("next_action", "回电确认采购预算", -3, None, False),
    ("next_action", "发送报价单", -1, None, False),
    ("next_action", "电话跟进试用反馈", 0, time(10, 30), False),
    ("meeting", "方案评审会", 0, time(15, 0), False),
    ("visit", "上门拜访采购负责人", 2, time(9, 30), False),
    ("meeting", "季度合作复盘会", 4, time(14, 0), False),
    ("other", "整理客户资料", 6, None, False),
    ("next_action", "寄送样品", -5, None, True),
    ("visit", "上门演示产品", -2, time(10, 0), True),
)


def desk_seed(*, now: datetime | None = None) -> int:
    """Tasks for each rep on their first customers; returns how many were written."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    written = 0
    reps = User.objects.filter(role=Role.REP, is_active=True).order_by("id")[:REPS]
    for rep in reps:
        customers = list(Customer.objects.filter(owner=rep).order_by("customer_no")[: len(PLAN)])
        if not customers:
            continue
        for n, (kind, title, days, at, done) in enumerate(PLAN):
            customer = customers[n % len(customers)]
            day = today + timedelta(days=days)
            due_at = timezone.make_aware(datetime.combine(day, at)) if at else None
            task = followup_create(
                actor=rep,
                customer=customer,
                kind=kind,
                title=title,
                owner=rep,
                due_date=day,
                due_at=due_at,
            )
            if done:
                followup_complete(actor=rep, follow_up=task, note="已完成")
            written += 1
        # A visit earlier this week (or today), its next action a task for Friday.
        monday = today - timedelta(days=today.weekday())
        visited = timezone.make_aware(datetime.combine(monday, time(10, 0)))
        interaction_log(
            actor=rep,
            customer=customers[0],
            data={
                "method": "visit",
                "occurred_at": min(visited, now).isoformat(),
                "topic": "上门拜访",
                "summary": "与采购负责人面谈，了解年度采购计划。",
                "feedback": "interested",
                "next_action": "整理需求并发送方案",
                "next_action_due": (monday + timedelta(days=4)).isoformat(),
            },
        )
        written += 1
    return written
