"""The field registry (issue 19): every field of every Kehu model, classed in one place.

Classes (PIPL's words): ordinary, personal (个人信息: identifies or concerns a person) and
sensitive personal (敏感个人信息: ID numbers, bank accounts, health, ...: separate consent, the
strictest handling). A field is listed once, under

- "encrypted": personal and stored encrypted (kehu.core.crypto.EncryptedCharField); a
  `name:mask` entry also says how pages mask it for roles that see masked values (phone,
  email, identifier), which kehu.customers.masking reads;
- "encrypted_sensitive": the same, sensitive;
- "personal" / "sensitive": personal data kept in clear (names the search must find, free text,
  logs of what was done) — retention, the data-subject export and erasure follow this class;
- "ordinary": everything else.

kehu/core/tests/test_personal.py fails when a concrete field of a Kehu model is not listed, when
a listed one no longer exists, or when "encrypted" and the model's field types disagree; so a
new field cannot be added without deciding its class. Log lines are scrubbed of the values of
encrypted fields written as `name=value` or `"name": "value"` (kehu.core.logs). The custom
fields an administrator adds carry their own class (customers.CustomField.personal_class).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.db import models
from django.utils.translation import gettext_lazy as _

from .personal_more import SPEC_MORE

ORDINARY = "ordinary"
PERSONAL = "personal"
SENSITIVE = "sensitive"
CLASSES = (ORDINARY, PERSONAL, SENSITIVE)


class PersonalClass(models.TextChoices):
    """The classes as choices (custom field definitions carry one)."""

    ORDINARY = ORDINARY, _("Ordinary")
    PERSONAL = PERSONAL, _("Personal information")
    SENSITIVE = SENSITIVE, _("Sensitive personal information")


@dataclass(frozen=True)
class FieldClass:
    level: str  # ORDINARY, PERSONAL or SENSITIVE
    encrypted: bool = False
    mask: str = ""  # "phone", "email", "identifier" or "" (shown whole)

    @property
    def is_personal(self) -> bool:
        return self.level != ORDINARY


# model label -> class -> space-separated field names (name:mask for masked encrypted fields).
_SPEC: dict[str, dict[str, str]] = {
    "core.counter": {
        "ordinary": "id key last",
    },
    "core.job": {
        "personal": "message result task_kwargs",
        "ordinary": (
            "id kind title status started_by total done task_result_id task_path is_resumable "
            "attempt heartbeat_at worker_host worker_pid worker_process stop stopped_at "
            "resumed created_at started_at finished_at"
        ),
    },
    "core.searchdocument": {
        # tokens: keyed terms of encrypted values (pseudonymous, like the *_bidx columns).
        "personal": "title subtitle name_key pinyin initials codes text grams tokens",
        "ordinary": "id kind object_id customer_id owner team status tags",
    },
    "core.companysettings": {
        "ordinary": (
            "id name time_zone working_days holidays extra_workdays pool_claim_limit "
            "updated_at updated_by"
        ),
    },
    "audit.auditentry": {
        "personal": "actor_name target_label changes note ip",
        "ordinary": (
            "id seq created_at actor action target_type target_id customer_id source "
            "prev_hash entry_hash"
        ),
    },
    "audit.readentry": {
        "personal": "actor_name target_label query ip",
        "ordinary": "id created_at actor kind customer_id row_count source",
    },
    "audit.dailyvolume": {
        "ordinary": "id user day row_count limit_rows is_lifted",
    },
    "accounts.team": {
        "ordinary": "id name region pool_claim_daily_limit receives_unassigned_leads",
    },
    "accounts.user": {
        "personal": "username first_name last_name email display_name",
        "ordinary": (
            "id password last_login is_superuser is_staff is_active date_joined role team "
            "can_reveal_pii can_edit_finance requires_two_factor time_zone"
        ),
    },
    "accounts.apitoken": {
        "ordinary": (
            "id user name prefix token_hash scope created_at expires_at revoked_at last_used_at"
        ),
    },
    "accounts.notification": {
        "personal": "message",
        "ordinary": "id user link created_at read_at",
    },
    "accounts.calendarfeed": {
        "ordinary": "id user token_hash prefix created_at revoked_at last_used_at",
    },
    "review.reviewrule": {
        "ordinary": "id kind threshold is_active",
    },
    "review.reviewitem": {
        "personal": "payload diff reason note",
        "ordinary": (
            "id action rule status requested_by team customer reviewed_by reviewed_at used_at "
            "created_at"
        ),
    },
    "contacts.contact": {
        "encrypted": (
            "mobile:phone landline:phone email:email wechat:identifier qq:identifier address "
            "phone_unusable phone_partial"
        ),
        # The *_bidx blind indexes are keyed tokens of personal values (pseudonymous).
        "personal": (
            "name name_pinyin gender title department custom_fields mobile_bidx "
            "mobile_tail_bidx landline_bidx email_bidx email_domain_bidx"
        ),
        "ordinary": (
            "id customer contact_type decision_role is_primary has_left left_on created_at "
            "updated_at"
        ),
    },
    "customers.industry": {
        "ordinary": "id name parent code sort is_active",
    },
    "customers.source": {
        "ordinary": "id name code sort is_active",
    },
    "customers.customer": {
        "encrypted": "address phone:phone email:email phone_unusable phone_partial",
        "personal": (
            "name name_normalized name_sort notes custom_fields phone_bidx phone_tail_bidx "
            "email_bidx email_domain_bidx"
        ),
        "ordinary": (
            "id customer_no kind credit_code industry sub_industry size ownership province "
            "city district region_code source first_contact_date status owner team "
            "budget_band budget_amount external_source external_id completeness "
            "missing_fields quality incomplete_since last_interaction_at created_by "
            "created_at updated_at"
        ),
    },
    "customers.customerstatuschange": {
        "personal": "reason",
        "ordinary": "id customer from_status to_status changed_by changed_at",
    },
    "customers.customershare": {
        "ordinary": "id customer user shared_by created_at",
    },
    "customers.matchrule": {
        "ordinary": "id name description min_score required_fields is_active",
    },
    "customers.duplicateaction": {
        "ordinary": "id context action",
    },
    "customers.savedview": {
        "ordinary": "id name owner team query created_at updated_at",
    },
    "customers.customfield": {
        "ordinary": (
            "id entity key label kind choices required help_text position show_in_list "
            "is_active created_at updated_at personal_class"
        ),
    },
    "tags.tagtype": {
        "ordinary": "id code name description position is_builtin",
    },
    "tags.tag": {
        "ordinary": "id name type description exclusive_group is_active created_by created_at",
    },
    "tags.customertag": {
        "personal": "note evidence",
        "ordinary": "id customer tag added_by added_at source source_label last_triggered_at",
    },
    "tags.keywordtagrule": {
        "ordinary": (
            "id name tag keywords negations texts is_active created_at updated_at last_run_at "
            "last_run_count"
        ),
    },
    "tags.tagdecayrule": {
        "ordinary": (
            "id name kind tag replace_with days streak outcomes is_active created_at "
            "updated_at last_run_at last_run_count"
        ),
    },
    "tags.tagchange": {
        "personal": "evidence",
        "ordinary": (
            "id customer kind source rule_name keyword_rule decay_rule from_tag to_tag created_at"
        ),
    },
    "tags.autotagcursor": {
        "ordinary": "id key seq",
    },
    "interactions.interaction": {
        "personal": "topic summary feedback next_action",
        "ordinary": (
            "id interaction_no customer contact occurred_at method next_action_owner "
            "next_action_due performed_by is_late_entry created_by created_at"
        ),
    },
    "interactions.behaviourevent": {
        "personal": "properties",
        "ordinary": "id customer contact kind occurred_at received_at",
    },
    "interactions.followup": {
        "personal": "title note",
        "ordinary": (
            "id customer owner kind due_date due_at remind_at reminded_at interaction event "
            "created_by created_at done_at done_by"
        ),
    },
    "opportunities.opportunity": {
        "ordinary": (
            "id customer title expected_amount stage expected_close_date owner source "
            "stage_changed_at lost_reason won_order created_at updated_at"
        ),
    },
    "opportunities.order": {
        "personal": "notes",
        "ordinary": "id order_no customer signed_on amount status created_at updated_at",
    },
    "opportunities.orderline": {
        "ordinary": "id order product quantity unit_price amount",
    },
    "opportunities.lostreason": {
        "ordinary": "id name position is_active",
    },
    "opportunities.opportunitystagechange": {
        "ordinary": (
            "id opportunity from_stage to_stage changed_by changed_at days_in_previous_stage"
        ),
    },
    "opportunities.stageprobability": {
        "ordinary": "id stage probability",
    },
    "opportunities.product": {
        "ordinary": "id name code unit_price is_active created_at updated_at",
    },
    "opportunities.opportunityline": {
        "ordinary": "id opportunity product quantity unit_price amount",
    },
    "intake.mappingpreset": {
        "ordinary": "id name mapping owner is_shared created_by created_at updated_at",
    },
    "intake.importrun": {
        "personal": "original_name headers preview message file_errors",
        "ordinary": (
            "id kind file_path file_sha256 file_format encoding header_row sheet preset "
            "mapping external_source on_duplicate status position total_rows created updated "
            "skipped failed incomplete job created_by created_at finished_at reverted_at "
            "file_purged_at"
        ),
    },
    "intake.importrow": {
        "personal": "customer_no errors note raw before warnings",
        "ordinary": "id run row_number outcome external_id customer_id is_incomplete",
    },
    "capture.assignmentrule": {
        "ordinary": "id name priority is_active province industry team owner last_assigned",
    },
    "capture.emaildomain": {
        "ordinary": "id domain company",
    },
    "capture.lead": {
        "encrypted": "email:email mobile:phone",
        "personal": "name company message ip email_bidx mobile_bidx",
        "ordinary": (
            "id customer contact outcome company_autofilled province industry consent_purpose "
            "consent_at assigned_to rule duplicate_score created_at"
        ),
    },
    "capture.chattagrule": {
        "ordinary": "id tag field op value is_active",
    },
    "reports.qualitysnapshot": {
        "ordinary": (
            "id day key scope team owner customers complete duplicates stale interactions "
            "timely created_at"
        ),
    },
    "reports.qualityalert": {
        "ordinary": "id day metric key scope team value baseline change recipient created_at",
    },
    "reports.sourcecost": {
        "ordinary": "id source month amount note updated_by updated_at",
    },
    "reports.target": {
        "ordinary": (
            "id scope user team period period_start metric amount key created_by updated_at"
        ),
    },
    "reports.reportsnapshot": {
        "ordinary": "id kind key data generated_at",
    },
    "reports.reportsetting": {
        "ordinary": "id key value updated_at updated_by",
    },
    "reports.interactiondayfact": {
        "ordinary": "id day method performed_by_id owner_id team_id n answered timely late delay",
    },
    "reports.customerdimfact": {
        "ordinary": "id owner_id team_id province industry_id sub_industry_id n",
    },
    "dedupe.duplicatepair": {
        "personal": "explanation",
        "ordinary": (
            "id customer_a customer_b score weight source status found_at decided_by decided_at"
        ),
    },
    "dedupe.merge": {
        "personal": "merged_snapshot survivor_before survivor_changes moved contacts dropped",
        "ordinary": (
            "id survivor merged_customer_id merged_customer_no superseded_by pair "
            "performed_by performed_at undone_by undone_at"
        ),
    },
    "value.valuesettings": {
        "ordinary": (
            "id frequency_threshold aov_threshold tenure_threshold_days median_frequency "
            "median_aov median_tenure_days new_days active_days dormant_days interaction_days "
            "interaction_high interaction_medium repurchase_high repurchase_medium "
            "octant_actions grade_rules event_seq updated_at"
        ),
    },
    "value.customervalue": {
        "ordinary": (
            "customer first_order_date last_order_date order_count revenue avg_order_value r "
            "f m rfm_score octant grade lifecycle interaction_level channel_preference "
            "product_interest tenure_band repurchase_level churn_probability "
            "repurchase_probability computed_at"
        ),
    },
    "value.propensityrun": {
        "ordinary": (
            "id kind trained_at status message horizon_days test_cutoff rows positives "
            "test_rows test_positives auc brier calibration model scored seconds"
        ),
    },
    "value.verificationcadence": {
        "ordinary": "id key days",
    },
    "value.behaviourtrigger": {
        "ordinary": "id name event_kind min_count window_days lifecycle task_title is_enabled",
    },
    "value.triggerfiring": {
        "ordinary": "id trigger customer event event_at fired_at",
    },
    "collab.handover": {
        "personal": "summary",
        "ordinary": "id user by assignments created_at",
    },
    "workflow.rule": {
        "personal": "last_fired_label",
        "ordinary": (
            "id name key is_enabled trigger params conditions actions last_fired_at "
            "last_fired_link fire_count created_at updated_at"
        ),
    },
    "workflow.rulefiring": {
        "ordinary": (
            "id rule target_type target_id occurrence state_at state_on customer_id fired_at "
            "outcome"
        ),
    },
    "workflow.eventcursor": {
        "ordinary": "id key last_seq updated_at",
    },
    "workflow.webhook": {
        "ordinary": "id name url secret topics is_enabled created_at updated_at",
    },
    "workflow.webhookdelivery": {
        "personal": "body",
        "ordinary": (
            "id webhook event audit_seq status attempt status_code response_ms error "
            "created_at attempted_at next_attempt_at"
        ),
    },
    "segments.segment": {
        "ordinary": (
            "id name description owner visibility team query followup_cadence followup_title "
            "followup_due_days followup_period created_at updated_at"
        ),
    },
    "segments.segmenttask": {
        "ordinary": "id segment follow_up customer period created_at",
    },
}

_LEVELS = {
    "encrypted": (PERSONAL, True),
    "encrypted_sensitive": (SENSITIVE, True),
    "personal": (PERSONAL, False),
    "sensitive": (SENSITIVE, False),
    "ordinary": (ORDINARY, False),
}


@cache
def registry() -> dict[str, dict[str, FieldClass]]:
    """{model label: {field name: FieldClass}} of every Kehu model."""
    out: dict[str, dict[str, FieldClass]] = {}
    for label, groups in [*_SPEC.items(), *SPEC_MORE.items()]:
        fields = out.setdefault(label, {})
        for group, names in groups.items():
            level, encrypted = _LEVELS[group]
            for entry in names.split():
                name, _sep, mask = entry.partition(":")
                if name in fields:
                    raise ValueError(f"{label}.{name} is classed twice")
                fields[name] = FieldClass(level=level, encrypted=encrypted, mask=mask)
    return out


def field_class(label: str, name: str) -> FieldClass | None:
    """The class of a model's field (label like "contacts.contact"); None when not listed."""
    return registry().get(label, {}).get(name)


def personal_fields(label: str) -> list[str]:
    return [n for n, c in registry().get(label, {}).items() if c.is_personal]


def encrypted_fields(label: str) -> list[str]:
    return [n for n, c in registry().get(label, {}).items() if c.encrypted]


def mask_kinds(*labels: str) -> dict[str, str]:
    """{field name: mask kind} of the masked fields of these models (names shared by models
    agree: customers' and contacts' e-mail are both "email")."""
    out: dict[str, str] = {}
    for label in labels:
        out.update({n: c.mask for n, c in registry().get(label, {}).items() if c.mask})
    return out


@cache
def scrubbed_names() -> frozenset[str]:
    """Names whose values a log line never shows (every encrypted field of every model)."""
    return frozenset(n for fields in registry().values() for n, c in fields.items() if c.encrypted)


@cache
def _named_value() -> re.Pattern[str]:
    names = "|".join(sorted(scrubbed_names(), key=len, reverse=True))
    return re.compile(
        rf"""(?<![\w])(["']?(?:{names})["']?\s*[:=]\s*)(["']?)([^"',;}}\s)][^"',;}}\n)]*?)(\2)(?=[\s,;}})]|$)"""
    )


def scrub_named(text: str) -> str:
    """`phone=+8613812345678`, `"wechat": "zhang_san"` -> the name with *** for its value."""
    if not scrubbed_names():
        return text
    return _named_value().sub(lambda m: f"{m.group(1)}{m.group(2)}***{m.group(4)}", text)
