"""Pages: the tag library (/settings/tags/), the new-tag request form, and the 360 page's tags
panel (htmx: apply from the library, remove; the replacement message)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import DomainError, PermissionDenied, ValidationFailed
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get_for

from .models import Tag, TagType
from .selectors import SEEING_TAGGERS, can_tag, customer_for_tagging, tag_items_for
from .services import tag_apply, tag_remove
from .services.library import (
    can_maintain_library,
    can_manage_types,
    tag_create,
    tag_retire,
    tag_type_delete,
    tag_type_save,
    tag_update,
    tags_with_usage,
)
from .services.requests import tag_request_create


def _post(request: AuthedRequest, *keys: str) -> dict[str, Any]:
    return {key: request.POST.get(key, "") for key in keys if key in request.POST}


def _errors(exc: DomainError) -> list[str]:
    if isinstance(exc, ValidationFailed):
        return [m for msgs in exc.errors.values() for m in msgs]
    return [str(exc)]


def library_groups(*, include_retired: bool = False) -> list[dict[str, Any]]:
    """The library grouped by type (the standard's order, unclassified last), with usage."""
    groups: dict[Any, dict[str, Any]] = {
        t.pk: {"type": t, "tags": []} for t in TagType.objects.all()
    }
    groups[None] = {"type": None, "tags": []}
    for tag in tags_with_usage(include_retired=include_retired):
        groups[tag.type_id]["tags"].append(tag)
    return [g for g in groups.values() if g["type"] is not None or g["tags"]]


@login_required
@require_http_methods(["GET", "POST"])
def tag_settings(request: AuthedRequest) -> HttpResponse:
    """Everyone reads the library and may request a tag; administrators and data stewards add
    tags here, administrators add types."""
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("op") == "type":
                row = tag_type_save(actor=request.user, data=_post(request, "name", "description"))
                messages.success(request, _("Tag type %(name)s saved.") % {"name": row.name})
            else:
                data = _post(request, "name", "type", "description", "exclusive_group")
                tag = tag_create(actor=request.user, data=data)
                messages.success(request, _("Tag %(name)s added.") % {"name": tag.name})
            return redirect("tag-settings")
        except PermissionDenied:
            raise
        except DomainError as exc:
            errors = _errors(exc)
    maintainer = can_maintain_library(request.user)
    context = {
        "groups": library_groups(include_retired=maintainer),
        "types": TagType.objects.all(),
        "can_maintain": maintainer,
        "can_manage_types": can_manage_types(request.user),
        "errors": errors,
    }
    return render(request, "tags/settings.html", context, status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def tag_edit(request: AuthedRequest, tag_id: int) -> HttpResponse:
    if not can_maintain_library(request.user):
        raise PermissionDenied(_("Only administrators and data stewards maintain the tags."))
    tag = get_object_or_404(Tag, pk=tag_id)
    errors: list[str] = []
    if request.method == "POST":
        data = _post(request, "name", "type", "description", "exclusive_group")
        data["is_active"] = request.POST.get("is_active") == "on"
        try:
            tag_update(actor=request.user, tag=tag, data=data)
        except ValidationFailed as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Tag %(name)s saved.") % {"name": tag.name})
            return redirect("tag-settings")
    context = {"tag": tag, "types": TagType.objects.all(), "errors": errors}
    return render(request, "tags/tag_form.html", context, status=422 if errors else 200)


@login_required
@require_POST
def tag_retire_view(request: AuthedRequest, tag_id: int) -> HttpResponse:
    tag = get_object_or_404(Tag, pk=tag_id)
    tag_retire(actor=request.user, tag=tag)
    messages.success(request, _("Tag %(name)s retired.") % {"name": tag.name})
    return redirect("tag-settings")


@login_required
@require_http_methods(["GET", "POST"])
def tag_type_edit(request: AuthedRequest, type_id: int) -> HttpResponse:
    if not can_manage_types(request.user):
        raise PermissionDenied(_("Only administrators add or change tag types."))
    row = get_object_or_404(TagType, pk=type_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("op") == "delete":
                tag_type_delete(actor=request.user, tag_type=row)
                messages.success(request, _("Tag type %(name)s deleted.") % {"name": row.name})
            else:
                data = _post(request, "name", "description", "position")
                tag_type_save(actor=request.user, data=data, tag_type=row)
                messages.success(request, _("Tag type %(name)s saved.") % {"name": row.name})
            return redirect("tag-settings")
        except PermissionDenied:
            raise
        except DomainError as exc:
            errors = _errors(exc)
    context = {"row": row, "errors": errors}
    return render(request, "tags/type_form.html", context, status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def tag_request_view(request: AuthedRequest) -> HttpResponse:
    """The new-tag request form; ?customer=<no> (from a 360 page) gives that customer the tag
    when the steward approves it."""
    number = (request.POST.get("customer") or request.GET.get("customer") or "").strip()
    customer = customer_for_tagging(request.user, number) if number else None
    errors: list[str] = []
    if request.method == "POST":
        data = _post(request, "name", "type", "description", "reason")
        try:
            item = tag_request_create(actor=request.user, data=data, customer=customer)
        except ValidationFailed as exc:
            errors = _errors(exc)
        else:
            messages.success(
                request,
                _("Your request for “%(name)s” waits for the data steward.")
                % {"name": item.payload["name"]},
            )
            if customer is not None:
                return redirect("customer-detail", customer.customer_no)
            return redirect("tag-settings")
    context = {
        "customer": customer,
        "types": TagType.objects.all(),
        "values": request.POST if request.method == "POST" else request.GET,
        "errors": errors,
    }
    return render(request, "tags/request_form.html", context, status=422 if errors else 200)


def picker_groups() -> list[dict[str, Any]]:
    """The active library grouped by type, for the 360 page's picker: one query, no counts."""
    groups: dict[Any, dict[str, Any]] = {}
    for tag in (
        Tag.objects.filter(is_active=True)
        .select_related("type")
        .order_by("type__position", "type_id", "name")
    ):
        groups.setdefault(tag.type_id, {"type": tag.type, "tags": []})["tags"].append(tag)
    return sorted(groups.values(), key=lambda g: g["type"] is None)


def panel_context(
    user: Any, customer: Customer, *, allowed: bool | None = None, **extra: Any
) -> dict[str, Any]:
    """What the 360 page's tags panel shows: tags grouped by type with provenance, and (for who
    may tag) the library grouped by type to apply from. `allowed`: whether the user may tag,
    when the caller knows (the 360 page's can_edit; marketing and support always)."""
    items = tag_items_for(customer)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        grouped.setdefault(item["type"] or _("Unclassified"), []).append(item)
    if allowed is None or getattr(user, "role", None) in SEEING_TAGGERS:
        allowed = can_tag(user, customer)
    return {
        "customer": customer,
        "tag_groups": list(grouped.items()),
        "can_tag": allowed,
        "library": picker_groups() if allowed else [],
        "applied": {item["tag"] for item in items},
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def customer_tags_panel(request: AuthedRequest, customer_no: str) -> HttpResponse:
    """GET: the panel; POST tag=… (note=…) applies a library tag, remove=… takes one off."""
    if request.method == "GET":
        customer = customer_get_for(request.user, customer_no)
        return render(request, "tags/_panel.html", panel_context(request.user, customer))
    customer = customer_for_tagging(request.user, customer_no)
    message, error = "", ""
    try:
        if request.POST.get("remove"):
            if tag_remove(actor=request.user, customer=customer, name=request.POST["remove"]):
                message = _("Removed “%(tag)s”.") % {"tag": request.POST["remove"].strip()}
        else:
            note = request.POST.get("note", "").strip()[:300]
            done = tag_apply(
                actor=request.user, customer=customer, name=request.POST.get("tag", ""), note=note
            )
            if done.replaced:
                message = _("Replaced “%(old)s” with “%(new)s”.") % {
                    "new": done.tag.name,
                    "old": "、".join(done.replaced),
                }
            elif done:
                message = _("Tagged “%(tag)s”.") % {"tag": done.tag.name}
    except ValidationFailed as exc:
        error = "；".join(_errors(exc))
    context = panel_context(request.user, customer, message=message, error=error)
    if not request.headers.get("HX-Request"):
        if message:
            messages.success(request, message)
        if error:
            messages.error(request, error)
        return redirect("customer-detail", customer.customer_no)
    # 200 even for a refusal: htmx swaps only successful answers, and the panel names the error.
    return render(request, "tags/_panel.html", context)
