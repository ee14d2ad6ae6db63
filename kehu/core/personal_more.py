"""The field registry's entries (kehu.core.personal) for the fields and apps that came with
issues 19-21: optimistic locking's versions, the audit checkpoints, the period claims, unit
stewards, in-app help, training, privacy and connected applications. Same format as
personal._SPEC; registry() reads both."""

from __future__ import annotations

SPEC_MORE: dict[str, dict[str, str]] = {
    "core.companysettings": {"ordinary": "two_factor_roles"},
    "core.periodclaim": {"ordinary": "id key period claimed_at"},
    "audit.auditentry": {"ordinary": "target_version"},
    "audit.auditcheckpoint": {
        "ordinary": (
            "id created_at seq entry_hash key_fingerprint signature file_name webhook webhook_error"
        ),
    },
    "audit.exportreport": {"ordinary": "id entry reported_by created_at", "personal": "reason"},
    "accounts.user": {"ordinary": "steward_unit"},
    # The basis an import records for the people it brings in (issue 19): a statement about
    # the file, not about one person.
    "intake.importrun": {
        "ordinary": (
            "consent_lawful_basis consent_purposes consent_basis consent_wording_version "
            "bulk bulk_indexes"
        ),
    },
    "contacts.contact": {"ordinary": "version"},
    "customers.customer": {"ordinary": "version"},
    "opportunities.opportunity": {"ordinary": "version"},
    "opportunities.order": {"ordinary": "version"},
    "help.whatsnewseen": {"ordinary": "id user version seen_at"},
    "training.workspace": {
        "ordinary": "id trainee created_by template_key created_at reset_at is_active",
    },
    "training.checkrun": {
        "ordinary": (
            "id workspace trainee scenario_id scenario_version passed steps_passed steps_total "
            "results checked_at"
        ),
    },
    "training.assessment": {
        "ordinary": (
            "id trainee workspace scenarios started_at deadline finished_at score max_score results"
        ),
    },
    "training.certificate": {
        "ordinary": "id trainee assessment issued_at score max_score scenario_versions",
    },
    "privacy.consent": {
        "personal": "basis withdrawal_note",
        "ordinary": (
            "id customer contact purpose channel wording_version given_at withdrawn_at lead "
            "recorded_by created_at lawful_basis import_run"
        ),
    },
    # The requester's own phone, e-mail and name, cleared when the request is done (erasure).
    "privacy.subjectrequest": {
        "encrypted": "phone:phone email:email",
        "personal": "name note result",
        "ordinary": ("id kind status received_at due_at completed_at created_by handled_by"),
    },
    "privacy.retentionpolicy": {
        "ordinary": "id name kind days is_enabled last_run_at updated_at",
    },
    "privacy.retentionrun": {
        "ordinary": "id policy is_dry_run started_at matched processed report actor",
    },
    "privacy.erasure": {"ordinary": "id kind object_id request policy erased_at"},
    "oauth.applicationpolicy": {
        "ordinary": "id application allowed_scopes acts_as revoked_at revoked_by",
    },
}
