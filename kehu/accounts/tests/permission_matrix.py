"""The permission matrix: every page and every /api/v1 operation, with what each role may do.

test_permission_matrix.py walks the URL resolver and the OpenAPI schema; a route without an entry
here fails the suite. Truth tables are written out by hand (not computed by kehu.accounts.policy),
so a policy change that widens access shows up as a failing case.

Adding a route: add its page name (PAGES) or "METHOD /api/v1/path" (API) with Read, Write,
Listing or Global; Exempt only with a reason and a pointer to the tests that cover it.

Objects of the dataset: own (the rep's), team (a teammate's), other (another team's),
won (another team's, 成交客户), prospect (another team's, 意向客户). own/team/other are 流失客户,
so support and marketing see none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OBJECTS = ("own", "team", "other", "won", "prospect")
ROLES = (
    "rep",
    "manager",
    "support",
    "marketing",
    "executive",
    "steward",
    "unit_steward",
    "admin",
    "finance",
)
ALL = frozenset(OBJECTS)
NONE: frozenset[str] = frozenset()

# Who sees which object (read).
VISIBLE: dict[str, frozenset[str]] = {
    "rep": frozenset({"own"}),
    "manager": frozenset({"own", "team"}),
    "support": frozenset({"won"}),
    "marketing": frozenset({"prospect"}),
    "executive": ALL,
    "steward": ALL,
    # A data steward limited to the rep's team (User.steward_unit, issue 20): that unit only.
    "unit_steward": frozenset({"own", "team"}),
    "admin": ALL,
    "finance": ALL,  # orders, contracts and amounts of every customer; contact data masked
}
# Who changes which object (edit customer, contacts, opportunities, orders).
WRITABLE: dict[str, frozenset[str]] = {
    "rep": frozenset({"own"}),
    "manager": frozenset({"own", "team"}),
    "support": NONE,
    "marketing": NONE,
    "executive": NONE,
    "steward": ALL,
    "unit_steward": frozenset({"own", "team"}),
    "admin": ALL,
    "finance": NONE,
}
# Who logs interactions and follow-ups: writers, and support on won customers.
LOGGABLE = {**WRITABLE, "support": frozenset({"won"})}
# Who tags a customer (issue 17): who may change it, and marketing and support on the
# customers they see (marketing owns the tags).
TAGGERS = {**WRITABLE, "support": frozenset({"won"}), "marketing": frozenset({"prospect"})}
# Who deletes customers.
DELETERS = {**WRITABLE, "rep": NONE, "steward": NONE, "unit_steward": NONE}
# Who shares a customer (owner, team manager, admin) and reveals its masked fields.
SHARERS = {**WRITABLE, "steward": NONE, "unit_steward": NONE}
# Reveal: the sharers, and support a won customer's phone numbers to call them (a reason is
# required: the matrix's empty reason is a 422, past the permission check).
REVEALERS = {**SHARERS, "support": frozenset({"won"})}
# Who puts a customer into a team pool (marketing: unowned prospects only; all ours are owned).
POOLERS = SHARERS | {"rep": NONE}
# Who claims a customer from the team pool: a rep or manager of its team, while it has no owner;
# every object here has an owner, so nobody (kehu/collab/tests/test_pool.py claims for real).
CLAIMERS: dict[str, frozenset[str]] = dict.fromkeys(ROLES, NONE)
# Who returns a customer to its team pool: the owner, the team's manager, an administrator.
RETURNERS = SHARERS


@dataclass(frozen=True)
class Read:
    """Object-scoped read: < 400 when the object is visible, 404 otherwise."""

    subject: str = "customer"


@dataclass(frozen=True)
class Write:
    """Object-scoped change. Invisible -> 404; visible without the right -> 403 or 404;
    with the right -> anything but 403/404/500 (an empty payload may well be a 422).
    Every deny leaves the database as it was."""

    allowed: dict[str, frozenset[str]]
    payload: dict[str, Any] = field(default_factory=dict)
    subject: str = "customer"


@dataclass(frozen=True)
class Listing:
    """A list, search, report or export: never names an object the role may not see."""

    query: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Global:
    """Not about one customer (dictionaries, own tokens, imports, jobs, duplicate review):
    every role gets an answer below 500 that names no object it may not see; writes are sent
    with an empty payload and deny cases leave the database as it was."""

    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Exempt:
    reason: str


C, CT = "customer", "contact"

PAGES: dict[str, Any] = {
    "profile": Global(),
    "profile-time-zone": Global(),
    "token-revoke": Global({"token_id": 999999}),
    "followup-list": Listing(),
    "followup-done": Write(WRITABLE, subject="follow_up"),
    "followup-snooze": Write(WRITABLE, subject="follow_up"),
    "followup-edit": Write(WRITABLE, subject="follow_up"),
    "followup-new": Write(LOGGABLE),
    "my-day": Listing(),
    "calendar": Listing(),
    "calendar-feed-new": Global(),
    "calendar-feed-revoke": Global(),
    "calendar-ics": Global({"token": "unknown-token"}),
    "quality-dashboard": Listing(),
    "quality-audit": Listing(),
    "quality-audit-csv": Listing(),
    "quality-audit-xlsx": Global(),
    # The analyses (issue 18): figures in the caller's scope; the settings pages are global.
    "analyses-index": Listing(),
    "analysis-acquisition": Listing(),
    "analysis-activity": Listing(),
    "analysis-funnel": Listing(),
    "analysis-value": Listing(),
    "analysis-distribution": Listing(),
    "analysis-team": Listing(),
    "source-costs": Global(),
    "targets": Global(),
    "report-health": Listing(),
    "report-churn": Listing(),
    "report-dormancy": Listing(),
    "report-kpi": Listing(),
    "customer-list": Listing(),
    # Chosen rows come in the body: an empty one is a 422 for everyone; the scope of the
    # numbers given is kehu/collab/tests/test_bulk.py's.
    "customer-bulk": Global(),
    "saved-view-save": Global(),
    "saved-view-delete": Global({"view_id": 999999}),
    # Segments (issue 17): anyone's own, counted in their own scope; kehu/segments/tests.
    # Privacy (issue 19): the register and retention for the steward and administrators (403 for
    # the rest: test_permission_matrix_privacy.py); a customer's consents in its scope.
    "privacy-requests": Global(),
    "privacy-request": Global({"request_id": 999999}),
    "privacy-request-export": Global({"request_id": 999999}),
    "retention-settings": Global(),
    "customer-consents": Read(),
    "customer-consent-record": Write(WRITABLE, {"purpose": "marketing", "channel": "phone"}),
    "customer-consent-withdraw": Write(WRITABLE),
    "segment-list": Global(),
    "segment-new": Global(),
    "segment-preview": Global(),
    "segment-detail": Global({"segment_id": 999999}),
    "segment-count": Global({"segment_id": 999999}),
    "segment-edit": Global({"segment_id": 999999}),
    "segment-delete": Global({"segment_id": 999999}),
    # Training (issue 20): the caller's own workspace, scenarios, assessment; creating and
    # resetting others' workspaces is for administrators and stewards (kehu/training/tests).
    "training-hub": Global(),
    "training-enter": Global(),
    "training-leave": Global(),
    "training-workspace-new": Global(),
    "training-workspace-reset": Global({"workspace_id": 999999}),
    "training-scenario": Global({"scenario_id": "unknown"}),
    "training-scenario-check": Global({"scenario_id": "unknown"}),
    "training-scenario-material": Global({"scenario_id": "unknown", "file": "x.xlsx"}),
    "training-assessment-start": Global(),
    "training-assessment": Global({"assessment_id": 999999}),
    "training-assessment-finish": Global({"assessment_id": 999999}),
    "training-certificate": Global({"certificate_id": 999999}),
    "training-certificate-pdf": Global({"certificate_id": 999999}),
    "sub-industry-options": Global(),
    "region-options": Global(),
    "customer-create": Global(),
    "customer-edit": Write(WRITABLE),
    "home": Global(),
    "customer-detail": Read(),
    "interaction-list": Read(),
    "interaction-create": Write(LOGGABLE),
    "contact-add": Write(WRITABLE),
    "opportunity-add": Write(WRITABLE, {"title": "矩阵商机"}),
    "contact-mark-left": Write(WRITABLE, subject=CT),
    "contact-edit": Write(WRITABLE, subject=CT),
    "contact-rejoin": Write(WRITABLE, subject=CT),
    "customer-reveal": Write(REVEALERS, {"field": "phone"}),
    "contact-reveal": Write(REVEALERS, {"field": "mobile"}, subject=CT),
    "job-list": Global(),
    "job-quality-refresh": Global(),
    "job-detail": Global({"job_id": 999999}),
    "import-list": Global(),
    "import-template": Global(),
    "import-template-xlsx": Global(),
    "import-detail": Global({"run_id": 999999}),
    "import-progress": Global({"run_id": 999999}),
    "import-dry-run": Global({"run_id": 999999}),
    "import-commit": Global({"run_id": 999999}),
    "import-revert": Global({"run_id": 999999}),
    "import-report": Global({"run_id": 999999}),
    "import-failed": Global({"run_id": 999999}),
    "customer-export": Listing({"file_format": "csv"}),
    "search": Listing({"q": "矩阵"}),
    "dedupe-pairs": Listing(),
    "dedupe-scan": Global(),
    "dedupe-pair": Global({"pair_id": 999999}),
    "dedupe-merge-undo": Global({"merge_id": 999999}),
    "dedupe-rules": Global(),
    "dedupe-check": Global(),
    "dedupe-customer-link": Read(subject="customer_pk"),
    "login": Exempt("the public sign-in page; kehu/accounts/tests/test_two_factor.py"),
    "healthz": Exempt("counts only, for load balancers; kehu/core/tests/test_serving.py"),
    "otp-verify": Global(),
    "otp-setup": Global(),
    # Administrators only; kehu/accounts/tests/test_two_factor_devices.py
    "otp-reset": Global({"user_id": 999999}),
    # User administration: administrators only (kehu/accounts/tests/test_user_admin.py).
    "user-create": Global(),
    "user-edit": Global({"user_id": 999999}),
    "user-password": Global({"user_id": 999999}),
    # Custom fields (issue 15): administrators only (kehu/customers/tests/test_custom_fields.py).
    "custom-field-list": Global(),
    "custom-field-edit": Global({"field_id": 999999}),
    "custom-field-archive": Global({"field_id": 999999}),
    # Workflow rules and webhooks (issue 16): administrators only (kehu/workflow/tests).
    "rule-list": Global(),
    "rule-edit": Global({"rule_id": 999999}),
    "rule-toggle": Global({"rule_id": 999999}),
    "rule-delete": Global({"rule_id": 999999}),
    # Tag rules (issue 17): administrators and data stewards; others 403
    # (kehu/tags/tests/test_rules_api.py).
    "tag-rule-list": Global(),
    "tag-rule-edit": Global({"rule_id": 999999}),
    "tag-rule-preview": Global({"rule_id": 999999}),
    "tag-rule-run": Global({"rule_id": 999999}),
    "tag-decay-edit": Global({"rule_id": 999999}),
    "tag-decay-preview": Global({"rule_id": 999999}),
    "webhook-list": Global(),
    # Propensity models and freshness by value (issue 17): administrators only
    # (kehu/value/tests/test_propensity.py, test_freshness.py).
    "value-propensity": Global(),
    "value-propensity-train": Global(),
    "value-freshness": Global(),
    "value-trigger-new": Global(),
    "value-trigger-edit": Global({"trigger_id": 999999}),
    "webhook-edit": Global({"webhook_id": 999999}),
    "webhook-test": Global({"webhook_id": 999999}),
    "webhook-delete": Global({"webhook_id": 999999}),
    # Capture and review (intake.capture): not yet classified per object, checked for leaks.
    "capture-card": Global(),
    # A write page: invisible customers 404, visible but not changeable 403.
    "capture-chat": Write(WRITABLE),
    "capture-rules": Global(),
    "lead-form": Global(),
    "review-decide": Global({"item_id": 999999, "decision": "approve"}),
    "import-preset-delete": Global({"preset_id": 999999}),
    "review-list": Listing(),
    "review-detail": Global({"item_id": 999999}),
    "change-request-list": Global(),  # redirects to review-list
    # Admin, executive and data steward read the whole log (they see every customer); others
    # get 403. kehu/customers/tests/test_audit_log.py
    "audit-log": Global(),
    # The chain's signed checkpoints: the log's readers; kehu/audit/tests/test_anchor.py
    "audit-checkpoints": Global(),
    # Reporting a suspicious export, and the reports: the log's readers, 403 for the rest;
    # kehu/customers/tests/test_export_reports.py
    "audit-export-reports": Global(),
    "audit-export-report": Global({"entry_id": 999999}),
    # Hand-over and notifications (kehu/collab): user-scoped; kehu/collab/tests/test_handover.py
    "collab-users": Global(),
    "collab-handover": Global({"user_id": 999999}),
    "notification-list": Global(),
    "notification-read-all": Global(),
    # The team pool (kehu/collab): kehu/collab/tests/test_pool.py. The claim and return pages
    # answer GET with their confirmation form, or 403 when the user may not.
    "pool-list": Listing(),
    "pool-claim": Write(CLAIMERS),
    "pool-return": Write(RETURNERS),
    # Administrators only: each team's daily claim limit and the team that takes unassigned
    # web-form leads; kehu/collab/tests/test_pool.py
    "team-settings": Global(),
    # Administrators only: the company settings; kehu/accounts/tests/test_company_settings.py
    "company-settings": Global(),
    # Connected applications (OAuth, issue 19): the consent page is every user's own; the
    # applications pages administrators only; kehu/accounts/oauth/tests/test_pages.py
    "oauth-authorize": Global(),
    "oauth-application-list": Global(),
    "oauth-application-detail": Global({"application_id": 999999}),
    "oauth-application-revoke": Global({"application_id": 999999}),
    "oauth-connected": Global(),
    "oauth-connected-revoke": Global({"application_id": 999999}),
    # The pipeline (issue 16): kehu/opportunities/tests/test_pages.py
    "opportunity-board": Listing(),
    "opportunity-forecast": Listing(),
    "opportunity-detail": Read("opportunity"),
    "opportunity-stage": Write(WRITABLE, {"stage": "negotiation"}, subject="opportunity"),
    "opportunity-lines": Write(WRITABLE, {"remove": "0"}, subject="opportunity"),
    # Administrators only: lost reasons, stage probabilities, products.
    "pipeline-settings": Global(),
    # Customer value (issue 17): the chart of the visible base; the settings are the admin's.
    "value-octants": Listing(),
    "value-settings": Global(),
    "lost-reason-save": Global(),
    "stage-probability-save": Global(),
    "product-save": Global(),
    # The tag library (issue 17): everyone reads it and requests tags; administrators and data
    # stewards maintain tags, administrators types. kehu/tags/tests/test_library.py
    "tag-settings": Global(),
    "tag-edit": Global({"tag_id": 999999}),
    "tag-retire": Global({"tag_id": 999999}),
    "tag-type-edit": Global({"type_id": 999999}),
    "tag-request": Global(),
    # The 360 page's tags panel: apply a library tag (POST).
    "customer-tags": Write(TAGGERS, {"tag": "VIP"}),
    # In-app help (issue 20): the same for every signed-in user; kehu/help/tests.
    "help-index": Global(),
    "help-panel": Global({"page": "customer-list"}),
    "help-page": Global({"name": "customer-list"}),
    "help-whatsnew": Global(),
    "help-standard": Global(),
}

API: dict[str, Any] = {
    "GET /api/v1/customers": Listing(),
    "POST /api/v1/customers/bulk": Global(),
    "GET /api/v1/saved-views": Global(),
    "POST /api/v1/saved-views": Global(),
    "DELETE /api/v1/saved-views/{view_id}": Global({"view_id": 999999}),
    # Segments (issue 17): counts in the caller's own scope; kehu/segments/tests/test_counts.py
    "GET /api/v1/segments": Global(),
    # Privacy (issue 19): consents in the customer's scope (record and withdraw: who changes the
    # customer); the request register and retention policies are for the data steward and
    # administrators only (403 for the rest): kehu/privacy/tests, test_permission_matrix_privacy.
    "GET /api/v1/privacy/consents": Global(),
    "POST /api/v1/privacy/consents": Global(),
    "POST /api/v1/privacy/consents/{consent_id}/withdraw": Global({"consent_id": 999999}),
    "POST /api/v1/privacy/leads/{lead_id}/withdraw": Global({"lead_id": 999999}),
    "GET /api/v1/privacy/requests": Global(),
    "POST /api/v1/privacy/requests": Global(),
    "GET /api/v1/privacy/requests/{request_id}": Global({"request_id": 999999}),
    "PATCH /api/v1/privacy/requests/{request_id}": Global({"request_id": 999999}),
    "GET /api/v1/privacy/requests/{request_id}/holdings": Global({"request_id": 999999}),
    "GET /api/v1/privacy/requests/{request_id}/export": Global({"request_id": 999999}),
    "POST /api/v1/privacy/requests/{request_id}/correct": Global({"request_id": 999999}),
    "POST /api/v1/privacy/requests/{request_id}/erase": Global({"request_id": 999999}),
    "GET /api/v1/privacy/retention-policies": Global(),
    "POST /api/v1/privacy/retention-policies": Global(),
    "PATCH /api/v1/privacy/retention-policies/{policy_id}": Global({"policy_id": 999999}),
    "POST /api/v1/privacy/retention-policies/{policy_id}/run": Global({"policy_id": 999999}),
    "GET /api/v1/privacy/retention-policies/{policy_id}/runs": Global({"policy_id": 999999}),
    "POST /api/v1/segments": Global(),
    "POST /api/v1/segments/preview": Global(),
    "GET /api/v1/segments/{segment_id}": Global({"segment_id": 999999}),
    "PATCH /api/v1/segments/{segment_id}": Global({"segment_id": 999999}),
    "DELETE /api/v1/segments/{segment_id}": Global({"segment_id": 999999}),
    "GET /api/v1/segments/{segment_id}/count": Global({"segment_id": 999999}),
    "GET /api/v1/segments/{segment_id}/customers": Global({"segment_id": 999999}),
    # Training (issue 20): kehu/training/tests/test_workspaces.py, test_certification.py
    "GET /api/v1/training/scenarios": Global(),
    "GET /api/v1/training/scenarios/{scenario_id}": Global({"scenario_id": "unknown"}),
    "POST /api/v1/training/scenarios/{scenario_id}/check": Global({"scenario_id": "unknown"}),
    "GET /api/v1/training/workspaces": Global(),
    "POST /api/v1/training/workspaces": Global(),
    "POST /api/v1/training/workspaces/{workspace_id}/reset": Global({"workspace_id": 999999}),
    "GET /api/v1/training/workspaces/{workspace_id}/progress": Global({"workspace_id": 999999}),
    "POST /api/v1/training/assessments": Global(),
    "POST /api/v1/training/assessments/{assessment_id}/finish": Global({"assessment_id": 999999}),
    "GET /api/v1/training/certificates/{certificate_id}": Global({"certificate_id": 999999}),
    "POST /api/v1/customers": Global(),
    "GET /api/v1/customers/{customer_no}": Read(),
    "GET /api/v1/customers/{customer_no}/value": Read(),
    "GET /api/v1/value/octants": Listing(),
    "GET /api/v1/value/settings": Global(),
    "PATCH /api/v1/value/settings": Global(),
    "PATCH /api/v1/customers/{customer_no}": Write(WRITABLE, {"notes": "矩阵改动"}),
    "DELETE /api/v1/customers/{customer_no}": Write(DELETERS),
    "POST /api/v1/customers/{customer_no}/status": Write(
        WRITABLE, {"status": "intent", "reason": "矩阵"}
    ),
    "GET /api/v1/customers/{customer_no}/history": Read(),
    "GET /api/v1/customers/{customer_no}/contacts": Read(),
    "POST /api/v1/customers/{customer_no}/contacts": Write(WRITABLE),
    "GET /api/v1/contacts/{contact_id}": Read(CT),
    "PATCH /api/v1/contacts/{contact_id}": Write(WRITABLE, {"title": "矩阵"}, subject=CT),
    "DELETE /api/v1/contacts/{contact_id}": Write(WRITABLE, subject=CT),
    "GET /api/v1/industries": Global(),
    "GET /api/v1/custom-fields": Global(),
    "POST /api/v1/custom-fields": Global(),
    "PATCH /api/v1/custom-fields/{field_id}": Global({"field_id": 999999}),
    "DELETE /api/v1/custom-fields/{field_id}": Global({"field_id": 999999}),
    "GET /api/v1/rules": Global(),
    "POST /api/v1/rules": Global(),
    "GET /api/v1/rules/{rule_id}": Global({"rule_id": 999999}),
    "PATCH /api/v1/rules/{rule_id}": Global({"rule_id": 999999}),
    "DELETE /api/v1/rules/{rule_id}": Global({"rule_id": 999999}),
    "GET /api/v1/webhooks": Global(),
    "GET /api/v1/customers/{customer_no}/propensity": Read(),
    "GET /api/v1/value/propensity": Global(),
    "POST /api/v1/value/propensity/train": Global(),
    "GET /api/v1/value/freshness": Global(),
    "PATCH /api/v1/value/freshness": Global(),
    "POST /api/v1/value/freshness/triggers": Global(),
    "PATCH /api/v1/value/freshness/triggers/{trigger_id}": Global({"trigger_id": 999999}),
    "POST /api/v1/webhooks": Global(),
    "GET /api/v1/webhooks/{webhook_id}": Global({"webhook_id": 999999}),
    "PATCH /api/v1/webhooks/{webhook_id}": Global({"webhook_id": 999999}),
    "DELETE /api/v1/webhooks/{webhook_id}": Global({"webhook_id": 999999}),
    "GET /api/v1/webhooks/{webhook_id}/deliveries": Global({"webhook_id": 999999}),
    "POST /api/v1/webhooks/{webhook_id}/test": Global({"webhook_id": 999999}),
    "GET /api/v1/regions": Global(),
    "GET /api/v1/sources": Global(),
    "POST /api/v1/sources": Global(),
    "GET /api/v1/customers/{customer_no}/shares": Read(),
    "POST /api/v1/customers/{customer_no}/shares": Write(SHARERS, {"user": "rep2"}),
    "DELETE /api/v1/customers/{customer_no}/shares/{user_id}": Write(SHARERS),
    "POST /api/v1/customers/{customer_no}/pool": Write(POOLERS, {"team": "华南销售部"}),
    "POST /api/v1/customers/{customer_no}/reveal": Write(REVEALERS, {"field": "phone"}),
    "POST /api/v1/contacts/{contact_id}/reveal": Write(REVEALERS, {"field": "mobile"}, subject=CT),
    "POST /api/v1/dedupe/check": Global(),
    "GET /api/v1/dedupe/pairs": Listing(),
    "GET /api/v1/dedupe/pairs/{pair_id}": Global({"pair_id": 999999}),
    "POST /api/v1/dedupe/pairs/{pair_id}/not-duplicate": Global({"pair_id": 999999}),
    "POST /api/v1/dedupe/merge": Global(),
    "POST /api/v1/dedupe/merges/{merge_id}/undo": Global({"merge_id": 999999}),
    "POST /api/v1/dedupe/scan": Exempt("starts a background scan job; kehu/dedupe/tests"),
    "GET /api/v1/dedupe/rules": Global(),
    "POST /api/v1/dedupe/rules": Global(),
    "PATCH /api/v1/dedupe/rules/{rule_id}": Global({"rule_id": 999999}),
    "GET /api/v1/dedupe/actions": Global(),
    "PUT /api/v1/dedupe/actions/{context}": Global({"context": "nonexistent"}),
    "GET /api/v1/customers/{customer_no}/interactions": Read(),
    "POST /api/v1/customers/{customer_no}/interactions": Write(LOGGABLE),
    "GET /api/v1/interactions/{interaction_no}": Read("interaction"),
    # Support corrects the service interactions of won customers (interaction_scope).
    "PATCH /api/v1/interactions/{interaction_no}": Write(
        LOGGABLE, {"topic": "矩阵"}, subject="interaction"
    ),
    "DELETE /api/v1/interactions/{interaction_no}": Write(LOGGABLE, subject="interaction"),
    "GET /api/v1/customers/{customer_no}/events": Read(),
    "POST /api/v1/events": Global(),
    "GET /api/v1/follow-ups": Listing(),
    "GET /api/v1/customers/{customer_no}/follow-ups": Read(),
    "POST /api/v1/customers/{customer_no}/follow-ups": Write(LOGGABLE),
    "GET /api/v1/follow-ups/{follow_up_id}": Read("follow_up"),
    "POST /api/v1/follow-ups/{follow_up_id}/complete": Write(WRITABLE, subject="follow_up"),
    "POST /api/v1/follow-ups": Global(),
    "PATCH /api/v1/follow-ups/{follow_up_id}": Write(WRITABLE, subject="follow_up"),
    "GET /api/v1/my-day": Listing(),
    "GET /api/v1/calendar": Listing({"start": "2026-01-01", "end": "2026-12-31", "scope": "team"}),
    "GET /api/v1/users/mentionable": Exempt(
        "the customer is a query parameter; kehu/interactions/tests/test_mentions.py checks that "
        "only users who may see it are offered, and 404 for a customer out of sight"
    ),
    "GET /api/v1/reports/quality": Listing(),
    "GET /api/v1/reports/quality/trend": Listing(),
    "GET /api/v1/reports/quality/alerts": Listing(),
    "GET /api/v1/reports/quality/audit": Listing(),
    "GET /api/v1/reports/quality/audit/export": Listing(),
    "GET /api/v1/reports/acquisition": Listing(),
    "GET /api/v1/reports/activity": Listing(),
    "GET /api/v1/reports/funnel": Listing(),
    "GET /api/v1/reports/value": Listing(),
    "GET /api/v1/reports/distribution": Listing(),
    "GET /api/v1/reports/team": Listing(),
    "GET /api/v1/source-costs": Global(),
    "POST /api/v1/source-costs": Global(),
    "PATCH /api/v1/source-costs/{cost_id}": Global({"cost_id": 999999}),
    "DELETE /api/v1/source-costs/{cost_id}": Global({"cost_id": 999999}),
    "GET /api/v1/targets": Global(),
    "POST /api/v1/targets": Global(),
    "PATCH /api/v1/targets/{target_id}": Global({"target_id": 999999}),
    "DELETE /api/v1/targets/{target_id}": Global({"target_id": 999999}),
    "GET /api/v1/dashboard": Listing(),
    "GET /api/v1/reports/health": Listing(),
    "GET /api/v1/reports/churn": Listing(),
    "GET /api/v1/reports/dormancy": Listing(),
    "GET /api/v1/reports/kpi": Listing(),
    "GET /api/v1/reports/settings": Global(),
    "PATCH /api/v1/reports/settings": Global(),
    "GET /api/v1/customers/{customer_no}/opportunities": Read(),
    "POST /api/v1/customers/{customer_no}/opportunities": Write(WRITABLE),
    "GET /api/v1/opportunities/{opportunity_id}": Read("opportunity"),
    # The pipeline (issue 16): kehu/opportunities/tests/test_pipeline_api.py, test_forecast.py
    "GET /api/v1/opportunities": Listing(),
    "GET /api/v1/opportunities/forecast": Listing(),
    "GET /api/v1/stage-probabilities": Global(),
    "PUT /api/v1/stage-probabilities": Global(),  # administrators
    "GET /api/v1/lost-reasons": Global(),
    "POST /api/v1/lost-reasons": Global(),  # administrators
    "PATCH /api/v1/lost-reasons/{reason_id}": Global({"reason_id": 999999}),
    "GET /api/v1/products": Global(),
    "POST /api/v1/products": Global(),  # administrators
    "PATCH /api/v1/products/{product_id}": Global({"product_id": 999999}),
    "PATCH /api/v1/opportunities/{opportunity_id}": Write(
        WRITABLE, {"title": "矩阵"}, subject="opportunity"
    ),
    "DELETE /api/v1/opportunities/{opportunity_id}": Write(WRITABLE, subject="opportunity"),
    "GET /api/v1/customers/{customer_no}/orders": Read(),
    "POST /api/v1/customers/{customer_no}/orders": Write(WRITABLE),
    "GET /api/v1/orders/{order_no}": Read("order"),
    "PATCH /api/v1/orders/{order_no}": Write(WRITABLE, {"notes": "矩阵"}, subject="order"),
    "DELETE /api/v1/orders/{order_no}": Write(WRITABLE, subject="order"),
    "GET /api/v1/me": Global(),
    "GET /api/v1/import-template": Global(),
    "PATCH /api/v1/me": Global(),
    "GET /api/v1/tokens": Global(),
    "POST /api/v1/tokens": Global(),
    "DELETE /api/v1/tokens/{token_id}": Global({"token_id": 999999}),
    # Connected applications (OAuth, issue 19): administrators register and revoke, everyone
    # reads the scopes and their own grants; kehu/accounts/oauth/tests/test_api.py
    "GET /api/v1/oauth/scopes": Global(),
    "GET /api/v1/oauth/applications": Global(),
    "POST /api/v1/oauth/applications": Global(),
    "GET /api/v1/oauth/applications/{application_id}": Global({"application_id": 999999}),
    "POST /api/v1/oauth/applications/{application_id}/revoke": Global({"application_id": 999999}),
    "GET /api/v1/oauth/connections": Global(),
    "DELETE /api/v1/oauth/connections/{application_id}": Global({"application_id": 999999}),
    "POST /api/v1/users/{user_id}/otp/reset": Global({"user_id": 999999}),
    # Every signed-in user reads the company settings, administrators change them;
    # kehu/accounts/tests/test_company_settings.py
    "GET /api/v1/settings/company": Global(),
    "PATCH /api/v1/settings/company": Global(),
    "GET /api/v1/users": Global(),
    "POST /api/v1/users": Global(),
    "GET /api/v1/users/{username}": Global({"username": "nobody"}),
    "PATCH /api/v1/users/{username}": Global({"username": "nobody"}),
    "POST /api/v1/users/{username}/password": Global({"username": "nobody"}),
    "GET /api/v1/jobs/{job_id}": Global({"job_id": 999999}),
    "GET /api/v1/import-targets": Global(),
    "GET /api/v1/import-presets": Global(),
    "POST /api/v1/import-presets": Global(),
    "PATCH /api/v1/import-presets/{preset_id}": Global({"preset_id": 999999}),
    "DELETE /api/v1/import-presets/{preset_id}": Global({"preset_id": 999999}),
    "GET /api/v1/imports": Global(),
    "POST /api/v1/imports": Global(),
    "GET /api/v1/imports/{import_id}": Global({"import_id": 999999}),
    "PUT /api/v1/imports/{import_id}/mapping": Global({"import_id": 999999}),
    "POST /api/v1/imports/{import_id}/dry-run": Global({"import_id": 999999}),
    "POST /api/v1/imports/{import_id}/commit": Global({"import_id": 999999}),
    "POST /api/v1/imports/{import_id}/revert": Global({"import_id": 999999}),
    "GET /api/v1/imports/{import_id}/report.csv": Global({"import_id": 999999}),
    "GET /api/v1/imports/{import_id}/failed.csv": Global({"import_id": 999999}),
    "GET /api/v1/exports/customers": Listing({"format": "csv"}),
    "GET /api/v1/search": Listing({"q": "矩阵"}),
    # Capture, leads, review and tags: not yet classified per object, checked for leaks.
    "GET /api/v1/capture/chat-rules": Global(),
    "POST /api/v1/capture/chat-rules": Global(),
    "PUT /api/v1/capture/chat-rules/{rule_id}": Global({"rule_id": 999999}),
    "POST /api/v1/capture/card": Global(),
    "POST /api/v1/capture/card/save": Global(),
    "POST /api/v1/capture/chat": Global(),
    "GET /api/v1/customers/{customer_no}/tags": Read(),
    "POST /api/v1/customers/{customer_no}/tags": Write(TAGGERS, {"tag": "VIP"}),
    # The tag library (issue 17): kehu/tags/tests/test_library.py
    "GET /api/v1/tags": Global(),
    "POST /api/v1/tags": Global(),
    "PATCH /api/v1/tags/{tag_id}": Global({"tag_id": 999999}),
    "POST /api/v1/tags/{tag_id}/retire": Global({"tag_id": 999999}),
    "POST /api/v1/tags/requests": Global(),
    "GET /api/v1/tag-types": Global(),
    "POST /api/v1/tag-types": Global(),
    "PATCH /api/v1/tag-types/{type_id}": Global({"type_id": 999999}),
    "DELETE /api/v1/tag-types/{type_id}": Global({"type_id": 999999}),
    # Tag rules (issue 17): everyone reads; administrators and data stewards change, preview
    # and run (kehu/tags/tests/test_rules_api.py). The history is scoped by its customer.
    "GET /api/v1/customers/{customer_no}/tag-changes": Read(),
    "GET /api/v1/tag-rules": Global(),
    "POST /api/v1/tag-rules": Global(),
    "GET /api/v1/tag-rules/{rule_id}": Global({"rule_id": 999999}),
    "PUT /api/v1/tag-rules/{rule_id}": Global({"rule_id": 999999}),
    "DELETE /api/v1/tag-rules/{rule_id}": Global({"rule_id": 999999}),
    "POST /api/v1/tag-rules/{rule_id}/preview": Global({"rule_id": 999999}),
    "POST /api/v1/tag-rules/{rule_id}/apply": Global({"rule_id": 999999}),
    "GET /api/v1/tag-rules/{rule_id}/changes": Global({"rule_id": 999999}),
    "GET /api/v1/tag-decay-rules": Global(),
    "POST /api/v1/tag-decay-rules": Global(),
    "GET /api/v1/tag-decay-rules/{rule_id}": Global({"rule_id": 999999}),
    "PUT /api/v1/tag-decay-rules/{rule_id}": Global({"rule_id": 999999}),
    "DELETE /api/v1/tag-decay-rules/{rule_id}": Global({"rule_id": 999999}),
    "POST /api/v1/tag-decay-rules/{rule_id}/preview": Global({"rule_id": 999999}),
    "GET /api/v1/tag-decay-rules/{rule_id}/changes": Global({"rule_id": 999999}),
    "GET /api/v1/leads/domains": Global(),
    "POST /api/v1/leads/domains": Global(),
    "GET /api/v1/leads/rules": Global(),
    "POST /api/v1/leads/rules": Global(),
    "PUT /api/v1/leads/rules/{rule_id}": Global({"rule_id": 999999}),
    "POST /api/v1/leads": Global(),
    "GET /api/v1/review": Listing(),
    "GET /api/v1/review/rules": Global(),
    "PUT /api/v1/review/rules/{kind}": Global({"kind": "amount_jump"}),
    "POST /api/v1/review/bulk-update": Global(),
    "GET /api/v1/review/{item_id}": Global({"item_id": 999999}),
    "POST /api/v1/review/{item_id}/approve": Global({"item_id": 999999}),
    "POST /api/v1/review/{item_id}/reject": Global({"item_id": 999999}),
    "GET /api/v1/change-requests": Listing(),
    "GET /api/v1/audit": Global(),
    # The read log (360 pages opened, searches, exports, reveals): the same readers as the change
    # log, 403 for the rest; kehu/customers/tests/test_audit_reads.py
    "GET /api/v1/audit/reads": Global(),
    # The chain's signed checkpoints: the log's readers; kehu/audit/tests/test_anchor.py
    "GET /api/v1/audit/checkpoints": Global(),
    "GET /api/v1/audit/export-reports": Global(),
    "POST /api/v1/audit/export-reports": Global(),
    "GET /api/v1/users/{user_id}/handover": Global({"user_id": 999999}),
    "POST /api/v1/users/{user_id}/handover": Global({"user_id": 999999}),
    "POST /api/v1/users/{user_id}/handover/plan": Global({"user_id": 999999}),
    "GET /api/v1/pool": Listing(),
    "POST /api/v1/pool/{customer_no}/claim": Write(CLAIMERS),
    "POST /api/v1/pool/{customer_no}/return": Write(RETURNERS, {"reason": "矩阵退回"}),
    "GET /api/v1/teams": Global(),
    "PATCH /api/v1/teams/{team_id}": Global({"team_id": 999999}),
    "GET /api/v1/notifications": Global(),
    "POST /api/v1/notifications/{notification_id}/read": Global({"notification_id": 999999}),
    "POST /api/v1/change-requests/{request_id}/approve": Global({"request_id": 999999}),
    "POST /api/v1/change-requests/{request_id}/reject": Global({"request_id": 999999}),
    # In-app help (issue 20): the same for every signed-in user; kehu/help/tests.
    "GET /api/v1/help/pages": Global(),
    "GET /api/v1/help/pages/{name}": Global({"name": "customer-list"}),
    "GET /api/v1/help/whatsnew": Global(),
    "POST /api/v1/help/whatsnew/seen": Global(),
    "GET /api/v1/help/standard": Global(),
}
