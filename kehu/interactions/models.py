"""Interactions (互动记录) and behaviour events (行为轨迹)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Interaction(models.Model):
    SCOPE_CUSTOMER = "customer"

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone call")
        VISIT = "visit", _("Visit")
        EMAIL = "email", _("E-mail")
        MEETING = "meeting", _("Meeting")
        LIVE_STREAM = "live_stream", _("Online live session")
        WECHAT = "wechat", _("WeChat")

    class Feedback(models.TextChoices):
        # "Interested" is also a customer status (意向客户): the context keeps 有兴趣 apart
        INTERESTED = "interested", pgettext_lazy("interaction feedback", "Interested")
        NEEDS_MORE_INFO = "needs_more_info", _("Wants to know more")
        NOT_NOW = "not_now", _("Not for now")
        REJECTED = "rejected", _("Declined")
        OBJECTION = "objection", _("Raised an objection")
        # Outcomes of a call that did not get through (decay rules count them: three in a row
        # turn 高活跃度 into 休眠客户; the activity analysis leaves them out of its response rate).
        NO_ANSWER = "no_answer", _("No answer")
        REFUSED = "refused", _("Call refused")

    interaction_no = models.CharField(_("interaction number"), max_length=32, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="interactions"
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    method = models.CharField(_("method"), max_length=16, choices=Method)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    feedback = models.CharField(_("customer feedback"), max_length=16, choices=Feedback, blank=True)
    next_action = models.CharField(_("next action"), max_length=300, blank=True)
    next_action_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("next action by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    next_action_due = models.DateField(_("next action due"), null=True, blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("performed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    is_late_entry = models.BooleanField(_("late entry"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(
                fields=["customer", "-occurred_at", "-id"], name="interaction_timeline_idx"
            ),
            models.Index(fields=["performed_by", "-occurred_at"], name="interaction_rep_idx"),
            # The analyses' period reads (issue 18): a quarter reads a quarter, and the per-
            # customer and per-rep counts are answered from the index alone.
            models.Index(
                fields=["occurred_at", "customer", "performed_by"], name="interaction_period_idx"
            ),
        ]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")

    def __str__(self) -> str:
        return self.interaction_no


# The labels of the event properties Kehu itself records (the demo's 页面或主题, the tracking
# snippet's url); a property only a sender knows is shown under its own key.
EVENT_PROPERTY_LABELS = {
    "page_or_topic": _("page or topic"),
    "url": _("page address"),
}


class BehaviourEvent(models.Model):
    SCOPE_CUSTOMER = "customer"

    class Kind(models.TextChoices):
        WEB_VISIT = "web_visit", _("Web visit")
        EMAIL_OPEN = "email_open", _("E-mail opened")
        EMAIL_CLICK = "email_click", _("E-mail link clicked")
        FORM_SUBMIT = "form_submit", _("Form submitted")
        DOWNLOAD = "download", _("Download")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="events"
    )
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    occurred_at = models.DateTimeField(_("occurred at"))
    properties = models.JSONField(_("properties"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at", "-id"], name="event_timeline_idx"),
        ]
        verbose_name = _("behaviour event")
        verbose_name_plural = _("behaviour events")

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"

    def property_rows(self) -> list[tuple[str, Any]]:
        """The properties as (label, value), each key by its label where Kehu knows it."""
        return [
            (str(EVENT_PROPERTY_LABELS.get(key, key)), value)
            for key, value in (self.properties or {}).items()
        ]


class FollowUp(models.Model):
    """A to-do about a customer for one person (跟进任务): fill in facts, verify, call back, …

    Rules (freshness) and people create them; an interaction's next action becomes one (kind
    next_action, `interaction` set, once). A task falls due on `due_date`, at `due_at` when it has
    a time (a planned visit or meeting); its reminder fires once at `remind_at` (`reminded_at`).
    """

    SCOPE_CUSTOMER = "customer"

    class Kind(models.TextChoices):
        COMPLETE_INFO = "complete_info", _("Complete the information")
        VERIFY = "verify", _("Verify the customer")
        NEXT_ACTION = "next_action", _("Next action")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="follow_ups"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind, default=Kind.NEXT_ACTION)
    title = models.CharField(pgettext_lazy("task", "title"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    interaction = models.ForeignKey(
        Interaction,
        verbose_name=_("interaction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    # The behaviour event that fired the task (a behaviour trigger, kehu.value.freshness).
    event = models.ForeignKey(
        BehaviourEvent,
        verbose_name=_("behaviour event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["done_at", "due_date", "id"]
        indexes = [
            models.Index(fields=["owner", "done_at", "due_date"], name="followup_owner_idx"),
            models.Index(fields=["customer", "kind", "done_at"], name="followup_customer_idx"),
            models.Index(fields=["reminded_at", "remind_at"], name="followup_remind_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["interaction"],
                condition=models.Q(kind="next_action"),
                name="followup_one_per_interaction",
            )
        ]
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
