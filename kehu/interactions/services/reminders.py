"""Reminders: a task falls due (its remind_at passed) -> its assignee gets an in-app notification
and, with an e-mail address, an e-mail (Django's EMAIL_BACKEND: SMTP when KEHU_SMTP_HOST is set,
else the console). Once per due time: reminded_at is set in the same transaction; snoozing a
task clears it, so the new time reminds again. Run by the worker's scan (kehu.interactions.tasks).
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.services import notification_send
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record

from ..models import FollowUp

logger = logging.getLogger(__name__)
BATCH = 500


def _message(task: FollowUp) -> str:
    when = (
        timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")
        if task.due_at
        else (task.due_date.isoformat() if task.due_date else "")
    )
    return _("Task due %(when)s: %(title)s (%(customer)s)") % {
        "when": when,
        "title": task.title,
        "customer": task.customer.name,
    }


def followups_remind_due(*, now: datetime | None = None) -> int:
    """Remind every open task whose time has come and that was not reminded yet; returns how
    many. Each task in its own transaction, locked and checked again, so that two scans at once
    never remind twice."""
    now = now or timezone.now()
    due = (
        FollowUp.objects.filter(
            reminded_at__isnull=True,
            remind_at__lte=now,
            done_at__isnull=True,
            owner__isnull=False,
        )
        .order_by("remind_at", "id")
        .values_list("pk", flat=True)[:BATCH]
    )
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            task = (
                FollowUp.objects.select_for_update(of=("self",))
                .select_related("owner", "customer")
                .filter(pk=pk, reminded_at__isnull=True, done_at__isnull=True)
                .first()
            )
            if task is None or task.owner is None:
                continue
            task.reminded_at = now
            task.save(update_fields=["reminded_at"])
            link = reverse("customer-detail", kwargs={"customer_no": task.customer.customer_no})
            message = _message(task)
            notification_send(users=[task.owner], message=message, link=link + "#tasks")
            audit_record(
                actor=None,
                action=AuditAction.FOLLOWUP_REMINDED,
                target=task,
                changes={"user": task.owner.username},
                source="system",
            )
            if task.owner.email:
                body = f"{message}\n\n{settings.KEHU_SITE_URL.rstrip('/')}{link}"
                transaction.on_commit(partial(_mail, task.owner.email, message, body))
            sent += 1
    return sent


def _mail(address: str, subject: str, body: str) -> None:
    try:
        send_mail(subject[:150], body, None, [address], fail_silently=False)
    except Exception:  # the in-app notification is there; a mail server down is logged
        logger.exception("Reminder e-mail to %s failed", address)
