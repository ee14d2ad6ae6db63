"""The privacy app's one write path: consent, the request register, a person's export,
correction and erasure, retention policies and their runs."""

from .consent import consent_record, consent_withdraw, consent_withdraw_lead
from .person import person_correct, person_erase, person_export
from .requests import request_due, subject_request_create, subject_request_update
from .retention import retention_policy_save, retention_run, retention_run_enabled

__all__ = [
    "consent_record",
    "consent_withdraw",
    "consent_withdraw_lead",
    "person_correct",
    "person_erase",
    "person_export",
    "request_due",
    "retention_policy_save",
    "retention_run",
    "retention_run_enabled",
    "subject_request_create",
    "subject_request_update",
]
