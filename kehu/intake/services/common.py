"""What the import services share: the state error, who may import, the maker fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.accounts.policy import can_create_customer, can_log_interaction
from kehu.core.errors import DomainError, ValidationFailed
from kehu.customers.consent_gate import consent_basis_clean

from ..models import ImportRow, ImportRun

MAKER_FIELDS = ("name", "title", "mobile", "landline", "email")
Outcome = ImportRow.Outcome


class ImportStateError(DomainError):
    """This import cannot do that in its current state."""

    status_code = 409
    code = "import_state"
    default_message = gettext_lazy("This import cannot do that in its current state.")


def can_import(user: Any, kind: str = "customers") -> bool:
    """Who may import: customers whoever may create them; interactions whoever may log them
    (each row is then checked against the customer it names)."""
    if user is None:
        return True
    if kind == ImportRun.Kind.INTERACTIONS:
        return can_log_interaction(user)
    return can_create_customer(user)


def refused_kind_message(kind: str) -> str:
    if kind == ImportRun.Kind.INTERACTIONS:
        return _("Your role may not import interactions.")
    return _("Your role may not import customers.")


def import_check_read(run: ImportRun) -> None:
    """Refuse to map or run an import whose file is still being read, or was refused (422 with
    why, naming the limit, row and column)."""
    if run.status == ImportRun.Status.INSPECTING:
        raise ImportStateError(_("The file is still being read; its columns are shown when done."))
    if run.status == ImportRun.Status.REFUSED:
        raise ValidationFailed(run.file_errors or {"file": [run.message]})


# --- An import run's state, as its tasks move it (queued, paused, its job).


def import_queued(*, run: ImportRun, job: Any, commit: bool) -> None:
    """The run's job is queued; a commit's run waits as queued until a worker takes it."""
    fields: dict[str, Any] = {"job": job}
    if commit:
        fields["status"] = ImportRun.Status.QUEUED
    ImportRun.objects.filter(pk=run.pk).update(**fields)


def import_paused(*, run: ImportRun, note: str) -> None:
    """The worker stopped in the middle: a running commit waits as queued, saying where."""
    ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.RUNNING).update(
        status=ImportRun.Status.QUEUED, message=note
    )


def import_consent_apply(
    run: ImportRun,
    *,
    lawful_basis: str,
    purposes: Sequence[str] = (),
    basis: str = "",
    wording_version: str = "",
) -> None:
    """Set (not save) the lawful basis the importer records for the people the file brings in,
    checked (consent_basis_clean: the errors name consent_lawful_basis, consent_purposes,
    consent_basis, consent_wording_version). An interactions import brings no one in: only
    "none" fits it."""
    choice = consent_basis_clean(
        lawful_basis=lawful_basis, purposes=purposes, basis=basis, wording_version=wording_version
    )
    if run.kind == ImportRun.Kind.INTERACTIONS and choice.records_anything:
        raise ValidationFailed(
            {"consent_lawful_basis": [_("An interactions import brings no people in.")]}
        )
    run.consent_lawful_basis = choice.lawful_basis
    run.consent_purposes = list(choice.purposes)
    run.consent_basis = choice.basis
    run.consent_wording_version = choice.wording_version
