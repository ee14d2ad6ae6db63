"""Import and export pages: upload, mapping, dry-run preview, live progress, report, revert."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import ChangeHeld, DomainError, NotFound, PermissionDenied, ValidationFailed
from kehu.customers.consent_gate import consent_basis_context

from .export_guard import export_guard
from .exports import customer_export, xlsx_file
from .files import (
    csv_stream,
    failed_lines,
    masks_for,
    preview_for,
    report_lines,
)
from .models import ImportRun
from .read_tasks import import_read_queue
from .selectors import (
    import_get_for,
    import_rows,
    import_runs_for,
    mapping_preset_get_for,
    mapping_presets_for,
)
from .services import (
    can_import,
    import_check_read,
    import_revert,
    import_set_mapping,
    import_upload,
    mapping_preset_delete,
    unknown_columns,
)
from .tasks import import_queue
from .template_interactions import template_response
from .validators import IMPORT_KINDS, PRESETS, import_targets

LIST_SIZE = 30


def _csv_response(lines: object, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_stream(lines), content_type="text/csv; charset=utf-8")  # type: ignore[arg-type]
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def import_list(request: AuthedRequest) -> HttpResponse:
    """The imports this user may see, and the upload form (customers or interactions)."""
    kinds = [(k, label) for k, label in ImportRun.Kind.choices if can_import(request.user, k)]
    if not kinds:
        raise PermissionDenied(_("Your role may not import customers."))
    errors: dict[str, list[str]] = {}
    status = 422
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = {"file": [_("Choose a file to upload.")]}
        else:
            try:
                run = import_upload(
                    actor=request.user,
                    name=upload.name or "upload",
                    chunks=upload.chunks(),
                    size=upload.size,
                    preset=request.POST.get("preset", ""),
                    on_duplicate=request.POST.get("on_duplicate") or "update",
                    kind=request.POST.get("kind") or kinds[0][0],
                    **_consent_fields(request),
                )
            except ValidationFailed as exc:
                errors, status = exc.errors, exc.status_code
            else:
                import_read_queue(actor=request.user, run=run)  # read on the worker
                return redirect("import-detail", run_id=run.pk)
    presets = list(mapping_presets_for(request.user))
    context = {
        "runs": list(import_runs_for(request.user)[:LIST_SIZE]),
        "presets": [*PRESETS, *_preset_names(presets)],
        "saved_presets": presets,
        "on_duplicate_choices": ImportRun.OnDuplicate.choices,
        "kinds": kinds,
        "errors": errors,
        **consent_basis_context(None),
    }
    return render(request, "intake/import_list.html", context, status=status if errors else 200)


def _consent_fields(request: AuthedRequest) -> dict[str, Any]:
    """The basis form's fields (intake/partials/_consent_fields.html), as the services take them."""
    return {
        "consent_lawful_basis": request.POST.get("consent_lawful_basis", ""),
        "consent_purposes": request.POST.getlist("consent_purposes"),
        "consent_basis": request.POST.get("consent_basis", ""),
        "consent_wording_version": request.POST.get("consent_wording_version", ""),
    }


def _preset_names(presets: list[Any]) -> list[str]:
    return list(dict.fromkeys(p.name for p in presets))


@login_required
@require_POST
def preset_delete_view(request: AuthedRequest, preset_id: int) -> HttpResponse:
    """Delete a saved mapping preset: its owner or an administrator."""
    try:
        preset = mapping_preset_get_for(request.user, preset_id, for_change=True)
        mapping_preset_delete(actor=request.user, preset=preset)
    except (NotFound, PermissionDenied):
        raise  # 404 / 403 as they are
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, _("Preset deleted."))
    return redirect("import-list")


def _kind(request: AuthedRequest) -> str:
    kind = request.GET.get("kind") or ImportRun.Kind.CUSTOMERS
    return kind if kind in IMPORT_KINDS else ImportRun.Kind.CUSTOMERS


@login_required
def import_template(request: AuthedRequest) -> HttpResponseBase:
    """The CSV template (the header row) of ?kind=customers (default) or interactions."""
    return template_response(_kind(request), "csv")


@login_required
def import_template_xlsx(request: AuthedRequest) -> HttpResponseBase:
    """The XLSX template of ?kind=customers (default) or interactions: the data sheet with
    drop-downs, instructions and examples."""
    return template_response(_kind(request), "xlsx")


@login_required
def import_detail(request: AuthedRequest, run_id: int) -> HttpResponse:
    """The mapping form (before the commit), the dry-run preview, progress and results."""
    run = import_get_for(request.user, run_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        mapping = {h: request.POST.get(f"map-{i}", "") for i, h in enumerate(run.headers)}
        try:
            import_set_mapping(
                actor=request.user,
                run=run,
                mapping=None if request.POST.get("preset") else mapping,
                preset=request.POST.get("preset", ""),
                on_duplicate=request.POST.get("on_duplicate", ""),
                save_as=request.POST.get("save_as", ""),
                share=request.POST.get("share") == "on",
                **_consent_fields(request),
            )
        except (ValidationFailed, DomainError) as exc:
            errors = getattr(exc, "errors", {"": [exc.message]})
        else:
            messages.success(request, _("Mapping saved."))
            return redirect("import-detail", run_id=run.pk)
    run.preview = preview_for(request.user, run)  # shown, never saved: masked but for the importer
    columns = [
        {"index": i, "header": h, "target": run.mapping.get(h, "")}
        for i, h in enumerate(run.headers)
    ]
    targets = import_targets(run.kind)
    context = {
        "run": run,
        "columns": columns,
        "targets": targets,
        "presets": [*PRESETS, *_preset_names(list(mapping_presets_for(request.user)))],
        "unknown": unknown_columns(run),
        # A mapping error about a field (no column for the customer name) names its label.
        "errors": {
            (k if k in run.headers else str(targets.get(k, k))): v for k, v in errors.items()
        },
        "on_duplicate_choices": ImportRun.OnDuplicate.choices,
        "can_revert": run.status == ImportRun.Status.FINISHED,
        **consent_basis_context(run.consent_choice),
    }
    return render(request, "intake/import_detail.html", context, status=422 if errors else 200)


@login_required
def import_progress(request: AuthedRequest, run_id: int) -> HttpResponse:
    run = import_get_for(request.user, run_id)
    response = render(request, "intake/partials/_progress.html", {"run": run})
    busy = run.status in (
        ImportRun.Status.QUEUED,
        ImportRun.Status.RUNNING,
        ImportRun.Status.INSPECTING,
    )
    if _is_htmx(request) and not busy and (run.job is None or run.job.is_finished):
        response["HX-Refresh"] = "true"  # done: reload the page to show results or preview
    return response


def _queue(request: AuthedRequest, run_id: int, *, dry_run: bool) -> HttpResponse:
    run = import_get_for(request.user, run_id)
    try:
        import_check_read(run)
        import_queue(actor=request.user, run=run, dry_run=dry_run)
    except ValidationFailed as exc:
        messages.error(request, " ".join(m for msgs in exc.errors.values() for m in msgs))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("import-detail", run_id=run.pk)


@login_required
@require_POST
def import_dry_run(request: AuthedRequest, run_id: int) -> HttpResponse:
    return _queue(request, run_id, dry_run=True)


@login_required
@require_POST
def import_commit(request: AuthedRequest, run_id: int) -> HttpResponse:
    """Commit, or resume a stopped import where it stopped."""
    return _queue(request, run_id, dry_run=False)


@login_required
@require_POST
def import_revert_view(request: AuthedRequest, run_id: int) -> HttpResponse:
    run = import_get_for(request.user, run_id)
    try:
        result = import_revert(actor=request.user, run=run)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Reverted: %(removed)s removed, %(restored)s restored, %(kept)s kept.") % result,
        )
    return redirect("import-detail", run_id=run.pk)


@login_required
def import_report(request: AuthedRequest, run_id: int) -> HttpResponseBase:
    run = import_get_for(request.user, run_id)
    masked = masks_for(request.user, run)
    return _csv_response(
        report_lines(import_rows(run), masked=masked, readable=True),
        f"import-{run.pk}-report.csv",
    )


@login_required
def import_failed_rows(request: AuthedRequest, run_id: int) -> HttpResponseBase:
    run = import_get_for(request.user, run_id)
    rows = import_rows(run, outcome="failed")
    masked = masks_for(request.user, run)
    return _csv_response(failed_lines(run, rows, masked=masked), f"import-{run.pk}-failed.csv")


@login_required
def customer_export_view(request: AuthedRequest, file_format: str) -> HttpResponseBase:
    """/exports/customers.csv?status=won&… — the list's filters, the caller's scope."""
    params = {k: v for k, v in request.GET.items()}
    try:
        export_guard(actor=request.user, params=params, file_format=file_format)
        _count, lines, left_out = customer_export(
            actor=request.user, params=params, file_format=file_format
        )
    except ChangeHeld as held:
        return HttpResponse(held.message, status=202, content_type="text/plain; charset=utf-8")
    except ValidationFailed as exc:  # plain text: the messages repeat what the URL said
        return HttpResponse(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items()),
            status=422,
            content_type="text/plain; charset=utf-8",
        )
    response: HttpResponseBase
    if file_format == "csv":
        response = _csv_response(lines, "customers.csv")
    else:
        response = FileResponse(
            xlsx_file(lines),
            as_attachment=True,
            filename="customers.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if "purpose" in params:  # a marketing export: how many lacked a live consent (issue 19)
        response["X-Kehu-Left-Out"] = str(left_out)
    return response
