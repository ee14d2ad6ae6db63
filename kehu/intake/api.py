"""/api/v1/imports and /api/v1/exports: the same flow as the pages, for scripts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from kehu.accounts.models import Role
from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors
from kehu.core.errors import ValidationFailed, one_of

from .export_guard import export_guard
from .exports import customer_export, xlsx_file
from .files import (
    csv_stream,
    failed_lines,
    masks_for,
    preview_for,
    report_lines,
)
from .models import ImportRun, MappingPreset
from .read_tasks import import_read_queue
from .selectors import (
    import_get_for,
    import_rows,
    import_runs_for,
    mapping_preset_get_for,
    mapping_presets_for,
)
from .services import (
    import_check_read,
    import_revert,
    import_set_mapping,
    import_upload,
    mapping_preset_delete,
    mapping_preset_save,
    mapping_preset_update,
    unknown_columns,
)
from .tasks import import_queue
from .template_interactions import template_response
from .validators import IMPORT_KINDS, PRESETS, import_targets

router = Router(tags=["imports"])


class ImportOut(Schema):
    id: int
    kind: str  # customers or interactions
    original_name: str
    file_format: str
    encoding: str
    sheet: int  # XLSX: the worksheet read, 0 for the first
    headers: list[str]
    preset: str
    mapping: dict[str, str]
    unknown_columns: list[str]
    on_duplicate: str
    status: str  # inspecting (the file is being read), refused, uploaded (map it), queued, …
    message: str
    file_errors: dict[str, list[str]]  # a refused file: why, naming the limit, row and column
    total_rows: int
    position: int
    created: int
    updated: int
    skipped: int
    failed: int
    incomplete: int
    bulk: bool  # the bulk path (≥ KEHU_IMPORT_BULK_ROWS rows): the search index catches up after
    preview: dict[str, Any]
    job_id: int | None
    created_at: datetime
    finished_at: datetime | None
    # The lawful basis recorded for the people the file brings in (issue 19): each created
    # customer's contacts get one consent per purpose, channel import (none with "none").
    consent_lawful_basis: str  # consent, contract, existing_customer or none
    consent_purposes: list[str]
    consent_basis: str  # how and when, as the importer stated it
    consent_wording_version: str

    @staticmethod
    def resolve_unknown_columns(obj: ImportRun) -> list[str]:
        return unknown_columns(obj)

    @staticmethod
    def resolve_preview(obj: ImportRun, context: Any) -> dict[str, Any]:
        return preview_for(context["request"].user, obj)  # masked but for the importer


class MappingIn(Schema):
    mapping: dict[str, str] | None = None
    preset: str = ""
    on_duplicate: str = ""
    save_as: str = ""
    share: bool = False  # the saved preset is shared with the user's team
    # The basis for the people the file brings in ("" leaves it as it is): POST /imports' fields.
    consent_lawful_basis: str = ""
    consent_purposes: list[str] = []
    consent_basis: str = ""
    consent_wording_version: str = ""


class PresetIn(Schema):
    name: str
    mapping: dict[str, str]
    is_shared: bool = False


class PresetChangeIn(Schema):
    name: str | None = None
    mapping: dict[str, str] | None = None
    is_shared: bool | None = None


class PresetOut(Schema):
    id: int | None  # None for a built-in preset
    name: str
    builtin: bool
    mapping: dict[str, str]
    owner: str  # username; "" for a built-in or system preset
    is_shared: bool
    can_change: bool


class ImportJobOut(Schema):
    job_id: int
    import_id: int


class RevertOut(Schema):
    removed: int
    restored: int
    kept: int


@router.get("/import-targets", response={200: dict[str, str], **errors(422)})
def targets(request: AuthedRequest, kind: str = "customers") -> dict[str, str]:
    """The fields a column may fill in an import of this kind (customers or interactions)."""
    if kind not in IMPORT_KINDS:
        raise ValidationFailed({"kind": [one_of(IMPORT_KINDS)]})
    return {key: str(label) for key, label in import_targets(kind).items()}


def _preset_out(preset: MappingPreset, user: Any) -> dict[str, Any]:
    return {
        "id": preset.pk,
        "name": preset.name,
        "builtin": False,
        "mapping": preset.mapping,
        "owner": preset.owner.get_username() if preset.owner else "",
        "is_shared": preset.is_shared,
        "can_change": preset.owner_id == user.pk or getattr(user, "role", "") == Role.ADMIN,
    }


@router.get("/import-presets", response=list[PresetOut])
def preset_list(request: AuthedRequest) -> list[dict[str, Any]]:
    """The built-in presets, then the saved ones the caller may use: their own, those shared in
    their team and the system's."""
    builtin = [
        {
            "id": None,
            "name": n,
            "builtin": True,
            "mapping": m,
            "owner": "",
            "is_shared": True,
            "can_change": False,
        }
        for n, (_s, m) in PRESETS.items()
    ]
    saved = [_preset_out(p, request.user) for p in mapping_presets_for(request.user)]
    return builtin + saved


@router.post("/import-presets", response={201: PresetOut, **errors(403, 422)})
def preset_save(request: AuthedRequest, payload: PresetIn) -> Status:
    """Save the caller's own preset of that name (replacing theirs, never anyone else's)."""
    preset = mapping_preset_save(
        actor=request.user,
        name=payload.name,
        mapping=payload.mapping,
        is_shared=payload.is_shared,
    )
    return Status(201, _preset_out(preset, request.user))


@router.patch("/import-presets/{preset_id}", response={200: PresetOut, **errors(403, 404, 422)})
def preset_change(
    request: AuthedRequest, preset_id: int, payload: PresetChangeIn
) -> dict[str, Any]:
    """Rename, remap or (un)share a preset: its owner or an administrator (403 otherwise)."""
    preset = mapping_preset_get_for(request.user, preset_id, for_change=True)
    preset = mapping_preset_update(actor=request.user, preset=preset, **payload.dict())
    return _preset_out(preset, request.user)


@router.delete("/import-presets/{preset_id}", response={204: None, **errors(403, 404, 422)})
def preset_delete(request: AuthedRequest, preset_id: int) -> Status:
    preset = mapping_preset_get_for(request.user, preset_id, for_change=True)
    mapping_preset_delete(actor=request.user, preset=preset)
    return Status(204, None)


@router.get("/imports", response=list[ImportOut])
def import_list(request: AuthedRequest) -> list[ImportRun]:
    return list(import_runs_for(request.user)[:100])


@router.post("/imports", response={202: ImportOut, **errors(403, 413, 422)})
def import_create(
    request: AuthedRequest,
    file: File[UploadedFile],
    preset: Form[str] = "",
    on_duplicate: Form[str] = "update",
    kind: Form[str] = "customers",
    consent_lawful_basis: Form[str] = "",
    consent_purposes: Form[list[str]] = [],  # noqa: B006 (ninja reads it, never mutates it)
    consent_basis: Form[str] = "",
    consent_wording_version: Form[str] = "",
) -> Status:
    """Upload a CSV, XLSX or VCF file (at most KEHU_UPLOAD_MAX_BYTES; 413 past it). The file is
    read in the background: GET /imports/{id} shows status "inspecting" (its job counts the rows
    read), then "uploaded" with the proposed mapping and the unknown columns, or "refused" with
    file_errors naming the limit, row and column. `kind`: customers (default) or interactions
    (CSV or XLSX; GET /import-template?kind=interactions; each row names its customer by
    number, registered name, credit code or external id).

    The lawful basis of the people the file brings in (issue 19): `consent_lawful_basis`
    consent (tick `consent_purposes`: marketing, service, …; give `consent_wording_version`),
    contract or existing_customer (service only), or none (the default: nothing recorded, and
    gated exports leave them out); `consent_basis` says how and when."""
    run = import_upload(
        actor=request.user,
        name=file.name or "upload",
        chunks=file.chunks(),
        size=file.size,
        preset=preset,
        on_duplicate=on_duplicate,
        kind=kind,
        consent_lawful_basis=consent_lawful_basis,
        consent_purposes=consent_purposes,
        consent_basis=consent_basis,
        consent_wording_version=consent_wording_version,
    )
    import_read_queue(actor=request.user, run=run)
    return Status(202, run)


@router.get("/imports/{import_id}", response={200: ImportOut, **errors(404, 422)})
def import_detail(request: AuthedRequest, import_id: int) -> ImportRun:
    return import_get_for(request.user, import_id)


@router.put("/imports/{import_id}/mapping", response={200: ImportOut, **errors(403, 404, 409, 422)})
def import_mapping(request: AuthedRequest, import_id: int, payload: MappingIn) -> ImportRun:
    run = import_get_for(request.user, import_id)
    return import_set_mapping(actor=request.user, run=run, **payload.dict())


@router.post(
    "/imports/{import_id}/dry-run", response={202: ImportJobOut, **errors(403, 404, 409, 422)}
)
def import_dry_run(request: AuthedRequest, import_id: int) -> Status:
    run = import_get_for(request.user, import_id)
    import_check_read(run)
    job = import_queue(actor=request.user, run=run, dry_run=True)
    return Status(202, {"job_id": job.pk, "import_id": run.pk})


@router.post(
    "/imports/{import_id}/commit", response={202: ImportJobOut, **errors(403, 404, 409, 422)}
)
def import_commit(request: AuthedRequest, import_id: int) -> Status:
    """Commit in the background, or resume a stopped import where it stopped."""
    run = import_get_for(request.user, import_id)
    import_check_read(run)
    job = import_queue(actor=request.user, run=run)
    return Status(202, {"job_id": job.pk, "import_id": run.pk})


@router.post("/imports/{import_id}/revert", response={200: RevertOut, **errors(403, 404, 409, 422)})
def import_revert_endpoint(request: AuthedRequest, import_id: int) -> dict[str, int]:
    run = import_get_for(request.user, import_id)
    return import_revert(actor=request.user, run=run)


def _csv(lines: Any, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_stream(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/imports/{import_id}/report.csv", response={200: None, **errors(404, 422)})
def import_report(request: AuthedRequest, import_id: int) -> HttpResponseBase:
    run = import_get_for(request.user, import_id)
    masked = masks_for(request.user, run)
    return _csv(report_lines(import_rows(run), masked=masked), f"import-{run.pk}-report.csv")


@router.get("/imports/{import_id}/failed.csv", response={200: None, **errors(404, 422)})
def import_failed(request: AuthedRequest, import_id: int) -> HttpResponseBase:
    run = import_get_for(request.user, import_id)
    rows = import_rows(run, outcome="failed")
    masked = masks_for(request.user, run)
    return _csv(failed_lines(run, rows, masked=masked), f"import-{run.pk}-failed.csv")


@router.get("/exports/customers", response={200: None, **errors(202, 403, 422)})
def export_customers(request: AuthedRequest, format: str = "csv") -> HttpResponseBase:
    """Every customer the caller may see that matches the list filters (status, industry, …).
    `purpose=marketing` (a marketing export) keeps only customers with a live consent for it;
    the header X-Kehu-Left-Out says how many were left out."""
    params = {k: v for k, v in request.GET.items()}
    export_guard(actor=request.user, params=params, file_format=format)
    _count, lines, left_out = customer_export(actor=request.user, params=params, file_format=format)
    response: HttpResponseBase
    if format == "csv":
        response = _csv(lines, "customers.csv")
    else:
        response = FileResponse(
            xlsx_file(lines),
            as_attachment=True,
            filename="customers.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if "purpose" in params:
        response["X-Kehu-Left-Out"] = str(left_out)
    return response


@router.get("/import-template", response={200: None, **errors(422)})
def import_template(
    request: AuthedRequest, format: str = "xlsx", kind: str = "customers"
) -> HttpResponseBase:
    """The import template of a kind (customers, the standard's; or interactions): `xlsx` (a
    data sheet with drop-downs for every value-list column, instructions and examples) or `csv`
    (the header row)."""
    if kind not in IMPORT_KINDS:
        raise ValidationFailed({"kind": [one_of(IMPORT_KINDS)]})
    if format not in ("xlsx", "csv"):
        raise ValidationFailed({"format": [one_of(["xlsx", "csv"])]})
    return template_response(kind, format)
