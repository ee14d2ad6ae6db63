"""Every action the change log records: one enum, with the label people read (zh-hans in the
catalogue). audit_record and audit_record_many refuse anything else, so a new action is added
here first, with its label and its translation.

The value is what the log stores (`customer.tagged`) and what the API and filters take; the
label is what pages show (已添加标签, not `customer.tagged`). Entries written before an action was
renamed keep their old value: `action_label` shows such a value as it is.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # Customers
    CUSTOMER_CREATED = "customer.created", _("Customer created")
    CUSTOMER_UPDATED = "customer.updated", _("Customer changed")
    CUSTOMER_DELETED = "customer.deleted", _("Customer deleted")
    CUSTOMER_QUALITY_CHANGED = "customer.quality_changed", _("Data quality state changed")
    CUSTOMER_SHARED = "customer.shared", _("Customer shared")
    CUSTOMER_UNSHARED = "customer.unshared", _("Customer no longer shared")
    CUSTOMER_CLAIMED = "customer.claimed", _("Customer claimed from the pool")
    CUSTOMER_RETURNED = "customer.returned", _("Customer returned to the pool")
    CUSTOMER_POOLED = "customer.pooled", _("Customer put into a team pool")
    CUSTOMER_TAGGED = "customer.tagged", _("Tag added")
    CUSTOMER_UNTAGGED = "customer.untagged", _("Tag removed")
    TAG_CREATED = "tag.created", _("Library tag created")
    TAG_UPDATED = "tag.updated", _("Library tag changed")
    TAG_RETIRED = "tag.retired", _("Library tag retired")
    TAG_TYPE_SAVED = "tag_type.saved", _("Tag type saved")
    TAG_TYPE_DELETED = "tag_type.deleted", _("Tag type deleted")
    TAG_REQUESTED = "tag.requested", _("New tag requested")
    TAG_RULE_SAVED = "tag_rule.saved", _("Tag rule saved")
    TAG_RULE_DELETED = "tag_rule.deleted", _("Tag rule deleted")
    TAG_RULE_RUN = "tag_rule.run", _("Keyword tag rule run over existing texts")
    TAG_DECAY_RUN = "tag_rule.decayed", _("Tag decay rule run")
    CUSTOMER_MERGED = "customer.merged", _("Another customer merged into this one")
    CUSTOMER_MERGED_INTO = "customer.merged_into", _("Merged into another customer")
    CUSTOMER_RESTORED = "customer.restored", _("Customer restored (merge undone)")
    CUSTOMER_MERGE_UNDONE = "customer.merge_undone", _("Merge undone")
    CUSTOMERS_EXPORTED = "customers.exported", _("Customers exported")
    FIELD_REVEALED = "field.revealed", _("Masked value revealed")
    SOURCE_CREATED = "source.created", _("Customer source added")
    SAVED_VIEW_SAVED = "saved_view.saved", _("Saved list view saved")
    SAVED_VIEW_DELETED = "saved_view.deleted", _("Saved list view deleted")
    SEGMENT_CREATED = "segment.created", _("Segment created")
    SEGMENT_UPDATED = "segment.updated", _("Segment changed")
    SEGMENT_DELETED = "segment.deleted", _("Segment deleted")
    SEGMENT_FOLLOWUPS_CREATED = "segment.followups_created", _("Segment follow-up tasks created")
    CUSTOM_FIELD_CREATED = "custom_field.created", _("Custom field added")
    CUSTOM_FIELD_UPDATED = "custom_field.updated", _("Custom field changed")
    CUSTOM_FIELD_ARCHIVED = "custom_field.archived", _("Custom field archived")
    # Contacts
    CONTACT_CREATED = "contact.created", _("Contact added")
    CONTACT_UPDATED = "contact.updated", _("Contact changed")
    CONTACT_DELETED = "contact.deleted", _("Contact removed")
    CONTACT_MOVED = "contact.moved", _("Contact moved to another customer")
    CONTACT_RESTORED = "contact.restored", _("Contact restored")
    # Interactions, behaviour events, follow-ups
    INTERACTION_LOGGED = "interaction.logged", _("Interaction recorded")
    INTERACTION_UPDATED = "interaction.updated", _("Interaction changed")
    INTERACTION_DELETED = "interaction.deleted", _("Interaction deleted")
    INTERACTION_MOVED = "interaction.moved", _("Interaction moved to another customer")
    EVENTS_INGESTED = "events.ingested", _("Behaviour events received")
    EVENTS_MOVED = "events.moved", _("Behaviour events moved")
    FOLLOWUP_CREATED = "followup.created", _("Follow-up task created")
    FOLLOWUP_COMPLETED = "followup.completed", _("Follow-up task completed")
    FOLLOWUP_REASSIGNED = "followup.reassigned", _("Follow-up task reassigned")
    FOLLOWUP_MOVED = "followup.moved", _("Follow-up task moved to another customer")
    FOLLOWUP_UPDATED = "followup.updated", _("Follow-up task changed")
    FOLLOWUP_SNOOZED = "followup.snoozed", _("Follow-up task snoozed")
    FOLLOWUP_REMINDED = "followup.reminded", _("Follow-up task reminder sent")
    MENTION_SENT = "mention.sent", _("Colleague mentioned")
    # Opportunities and orders
    OPPORTUNITY_CREATED = "opportunity.created", _("Opportunity created")
    OPPORTUNITY_UPDATED = "opportunity.updated", _("Opportunity changed")
    OPPORTUNITY_DELETED = "opportunity.deleted", _("Opportunity deleted")
    OPPORTUNITY_MOVED = "opportunity.moved", _("Opportunity moved to another customer")
    OPPORTUNITY_STAGE_CHANGED = "opportunity.stage_changed", _("Opportunity stage changed")
    LOST_REASON_SAVED = "lost_reason.saved", _("Lost reason saved")
    STAGE_PROBABILITY_CHANGED = "stage_probability.changed", _("Stage probability changed")
    PRODUCT_SAVED = "product.saved", _("Product saved")
    ORDER_CREATED = "order.created", _("Order created")
    ORDER_UPDATED = "order.updated", _("Order changed")
    ORDER_DELETED = "order.deleted", _("Order deleted")
    ORDER_MOVED = "order.moved", _("Order moved to another customer")
    # Duplicates
    DEDUPE_NOT_DUPLICATE = "dedupe.not_duplicate", _("Marked as not a duplicate")
    DEDUPE_RULE_CREATED = "dedupe.rule_created", _("Duplicate rule created")
    DEDUPE_RULE_CHANGED = "dedupe.rule_changed", _("Duplicate rule changed")
    DEDUPE_ACTION_SET = "dedupe.action_set", _("Duplicate handling changed")
    # Review
    REVIEW_HELD = "review.held", _("Change held for review")
    REVIEW_APPROVED = "review.approved", _("Held change approved")
    REVIEW_REJECTED = "review.rejected", _("Held change rejected")
    REVIEW_RULE_CHANGED = "review.rule_changed", _("Review rule changed")
    REVIEW_ITEMS_MOVED = "review.items_moved", _("Review items moved to another customer")
    # Customer value (issue 17)
    VALUE_LIFECYCLE_CHANGED = "value.lifecycle_changed", _("Customer lifecycle changed")
    VALUE_SETTINGS_CHANGED = "value.settings_changed", _("Customer value settings changed")
    # Workflow rules and webhooks
    RULE_CREATED = "rule.created", _("Workflow rule created")
    RULE_CHANGED = "rule.changed", _("Workflow rule changed")
    RULE_DELETED = "rule.deleted", _("Workflow rule deleted")
    WEBHOOK_CREATED = "webhook.created", _("Webhook created")
    WEBHOOK_CHANGED = "webhook.changed", _("Webhook changed")
    WEBHOOK_DELETED = "webhook.deleted", _("Webhook deleted")
    WEBHOOK_TESTED = "webhook.tested", _("Webhook test sent")
    # Value: propensity models, verification cadences, behaviour triggers (issue 17)
    PROPENSITY_TRAINED = "propensity.trained", _("Propensity model trained")
    CADENCE_CHANGED = "cadence.changed", _("Verification cadence changed")
    BEHAVIOUR_TRIGGER_SAVED = "behaviour_trigger.saved", _("Behaviour trigger saved")
    BEHAVIOUR_TRIGGER_FIRED = "behaviour_trigger.fired", _("Behaviour trigger fired")
    # Imports, web-form leads
    IMPORT_STARTED = "import.started", _("Import started")
    IMPORT_FINISHED = "import.finished", _("Import finished")
    IMPORT_REFUSED = "import.refused", _("Import file refused")
    IMPORT_REVERTED = "import.reverted", _("Import reverted")
    IMPORT_FILES_PURGED = "import.files_purged", _("Old import files deleted")
    IMPORT_PRESET_SAVED = "import.preset_saved", _("Import mapping saved")
    IMPORT_PRESET_CHANGED = "import.preset_changed", _("Import mapping changed")
    IMPORT_PRESET_DELETED = "import.preset_deleted", _("Import mapping deleted")
    LEAD_CREATED = "lead.created", _("Customer created from a web-form lead")
    LEAD_ATTACHED = "lead.attached", _("Web-form lead matched this customer")
    LEAD_MOVED = "lead.moved", _("Web-form leads moved to another customer")
    CAPTURE_RULE_SAVED = "capture.rule_saved", _("Capture rule saved")
    CAPTURE_RULE_DELETED = "capture.rule_deleted", _("Capture rule deleted")
    # Data quality
    QUALITY_ALERT = "quality.alert", _("Data quality alert")
    # Analyses
    REPORT_EXPORTED = "report.exported", _("Analysis exported")
    SOURCE_COST_SAVED = "source_cost.saved", _("Source cost saved")
    SOURCE_COST_DELETED = "source_cost.deleted", _("Source cost deleted")
    TARGET_SAVED = "target.saved", _("Target saved")
    TARGET_DELETED = "target.deleted", _("Target deleted")
    # Users, teams, sign-in
    USER_LOGGED_IN = "user.logged_in", _("Signed in")
    USER_LOGIN_FAILED = "user.login_failed", _("Sign-in failed")
    USER_OTP_ADDED = "user.otp_added", _("Two-factor device added")
    USER_OTP_VERIFIED = "user.otp_verified", _("Two-factor code accepted")
    USER_OTP_FAILED = "user.otp_failed", _("Two-factor code refused")
    USER_OTP_RESET = "user.otp_reset", _("Two-factor devices reset")
    USER_HANDED_OVER = "user.handed_over", _("Work handed over")
    USER_CREATED = "user.created", _("User created")
    USER_UPDATED = "user.updated", _("User changed")
    USER_DEACTIVATED = "user.deactivated", _("User deactivated")
    USER_REACTIVATED = "user.reactivated", _("User reactivated")
    USER_PASSWORD_RESET = "user.password_reset", _("Password reset")
    TEAM_UPDATED = "team.updated", _("Team changed")
    COMPANY_SETTINGS_UPDATED = "company_settings.updated", _("Company settings changed")
    REPORT_SETTINGS_UPDATED = "report_settings.updated", _("Report settings changed")
    API_TOKEN_CREATED = "api_token.created", _("API token created")
    API_TOKEN_REVOKED = "api_token.revoked", _("API token revoked")
    CALENDAR_FEED_CREATED = "calendar_feed.created", _("Calendar feed address created")
    CALENDAR_FEED_REVOKED = "calendar_feed.revoked", _("Calendar feed address revoked")
    # Connected applications (OAuth 2.0, kehu.accounts.oauth)
    OAUTH_APP_REGISTERED = "oauth_app.registered", _("Connected application registered")
    OAUTH_APP_REVOKED = "oauth_app.revoked", _("Connected application revoked")
    OAUTH_GRANTED = "oauth.granted", _("Application authorised")
    OAUTH_DENIED = "oauth.denied", _("Application authorisation refused")
    OAUTH_GRANT_REVOKED = "oauth.grant_revoked", _("Application authorisation revoked")
    OAUTH_TOKEN_REVOKED = "oauth.token_revoked", _("Application token revoked by the application")
    # The system
    AUDIT_READS_SEALED = "audit.reads_sealed", _("Read log sealed")
    AUDIT_READS_PURGED = "audit.reads_purged", _("Old read log entries deleted")
    AUDIT_CHECKPOINT_SIGNED = "audit.checkpoint_signed", _("Audit log checkpoint signed")
    EXPORT_REPORTED = "audit.export_reported", _("Export reported as suspicious")
    JOB_STALE_RESUMED = "job.stale_resumed", _("Stalled job queued again")
    JOB_STALE_FAILED = "job.stale_failed", _("Stalled job failed")
    SANDBOX_LOADED = "sandbox.loaded", _("Sample data loaded")
    # Training (kehu.training)
    TRAINING_WORKSPACE_CREATED = "training.workspace_created", _("Training workspace created")
    TRAINING_WORKSPACE_RESET = "training.workspace_reset", _("Training workspace reset")
    TRAINING_ASSESSMENT_STARTED = "training.assessment_started", _("Training assessment started")
    TRAINING_CERTIFIED = "training.certified", _("Training certificate issued")
    AUDIT_REDACTED = "audit.redacted", _("Personal values in the change log erased")
    # Privacy: consent, data-subject requests, erasure, retention (issue 19)
    CONSENT_RECORDED = "consent.recorded", _("Consent recorded")
    CONSENT_WITHDRAWN = "consent.withdrawn", _("Consent withdrawn")
    PRIVACY_REQUEST_CREATED = "privacy_request.created", _("Data-subject request registered")
    PRIVACY_REQUEST_UPDATED = "privacy_request.updated", _("Data-subject request changed")
    PRIVACY_PERSON_EXPORTED = "privacy.person_exported", _("Personal data exported")
    PRIVACY_PERSON_CORRECTED = "privacy.person_corrected", _("Personal data corrected")
    PRIVACY_PERSON_ERASED = "privacy.person_erased", _("Personal data erased")
    CUSTOMER_ANONYMISED = "customer.anonymised", _("Customer's personal data anonymised")
    CONTACT_ANONYMISED = "contact.anonymised", _("Contact's personal data anonymised")
    RETENTION_POLICY_SAVED = "retention_policy.saved", _("Retention policy saved")
    RETENTION_RUN = "retention.run", _("Retention policy run")


_VALUES = frozenset(AuditAction.values)
_LABELS: dict[str, Promise] = dict(AuditAction.choices)


def audit_action(action: str) -> str:
    """The stored value of `action`; ValueError naming it when it is not an AuditAction (a
    programming error: add the action to the enum, with its label)."""
    if action not in _VALUES:
        raise ValueError(
            f"{action!r} is not an audit action; add it to kehu.audit.actions.AuditAction"
        )
    return str(action)


def action_label(action: str) -> str:
    """What people read for `action` in the current language; an action the enum no longer
    lists (an entry written before it was renamed) as it is."""
    label = _LABELS.get(action)
    return str(label) if label is not None else action
