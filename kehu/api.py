"""/api/v1: mounts each app's ninja router; every error is JSON naming its fields."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.renderers import JSONRenderer

from kehu.accounts.api import router as accounts_router
from kehu.accounts.auth import api_auth
from kehu.accounts.company_api import router as company_router
from kehu.accounts.oauth.api import router as oauth_router
from kehu.accounts.users_api import router as users_router
from kehu.collab.api import bulk_router as collab_bulk_router
from kehu.collab.api import router as collab_router
from kehu.core import outage, request_errors
from kehu.core.api import router as core_router
from kehu.core.api_utils import ControlFreeParser, ErrorOut
from kehu.core.errors import DomainError, ValidationFailed
from kehu.core.schema_errors import schema_error_message
from kehu.customers.access_api import router as access_router
from kehu.customers.api import router as customers_router
from kehu.customers.audit_api import router as audit_router
from kehu.customers.custom_fields_api import router as custom_fields_router
from kehu.customers.saved_views_api import router as saved_views_router
from kehu.dedupe.api import router as dedupe_router
from kehu.help.api import router as help_router
from kehu.intake.api import router as intake_router
from kehu.intake.capture.api import router as capture_router
from kehu.interactions.api import router as interactions_router
from kehu.interactions.desk_api import router as desk_router
from kehu.interactions.followup_api import router as followups_router
from kehu.opportunities.api import router as opportunities_router
from kehu.opportunities.pipeline_api import router as pipeline_router
from kehu.privacy.api import router as privacy_router
from kehu.reports.analyses.api import reports_router as analyses_reports_router
from kehu.reports.analyses.api import router as analyses_router
from kehu.reports.api import router as reports_router
from kehu.reports.dashboard.api import router as dashboard_router
from kehu.reports.health.api import router as named_reports_router
from kehu.review.api import router as review_router
from kehu.search.api import router as search_router
from kehu.segments.api import router as segments_router
from kehu.tags.api import router as tags_router
from kehu.tags.rules_api import router as tag_rules_router
from kehu.training.api import router as training_router
from kehu.value.api import router as value_router
from kehu.value.freshness_api import router as freshness_router
from kehu.value.propensity_api import router as propensity_router
from kehu.workflow.api import router as workflow_router

logger = logging.getLogger(__name__)


# What authentication and request parsing may answer, for any operation (ErrorOut bodies): the
# operations declare only what they answer themselves (kehu.core.api_utils.errors).
SIGNED_IN = {
    401: "No credentials, or an unknown, expired or revoked token.",
    403: "A read-only token that tries to change something; a session without its second factor;"
    " a connected application's token without the scope the operation needs.",
}
WITH_BODY = {
    400: "The body cannot be read: not JSON (`bad_json`), or a malformed multipart body.",
    413: "The body is larger than KEHU_REQUEST_MAX_BYTES, or has too many fields or files.",
}


class KehuAPI(NinjaAPI):
    """NinjaAPI whose URL list ends with a catch-all: unknown /api/v1 paths get a JSON 404.

    Appended when the URLs are built, so it stays last whatever routers are added later.
    The OpenAPI document goes through the renderer too (ninja's own view bypasses it), and
    declares on every operation the answers of authentication and request parsing.
    """

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault(
            "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                extra = {**(SIGNED_IN if operation.get("security") else {})}
                if "requestBody" in operation:
                    extra.update(WITH_BODY)
                responses = operation.setdefault("responses", {})
                for status, description in extra.items():
                    responses.setdefault(status, {"description": description, "content": error})
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        schema_view = self.openapi_json
        if self.docs_decorator:
            # ninja annotates docs_decorator with a TypeVar it never binds
            schema_view = self.docs_decorator(schema_view)  # type: ignore[arg-type]
        for index, url in enumerate(urls):
            if getattr(url, "name", None) == "openapi-json":
                urls[index] = path(str(url.pattern), schema_view, name="openapi-json")
        return [*urls, re_path(r"^.*$", self.not_found)]

    def openapi_json(self, request: HttpRequest, **path_params: Any) -> HttpResponse:
        schema = self.get_openapi_schema(path_params=path_params)
        return self.create_response(request, schema, status=200)

    def not_found(self, request: HttpRequest) -> HttpResponse:
        return self.create_response(
            request, {"detail": _("No such API path."), "code": "not_found"}, status=404
        )


class UTF8JSONRenderer(JSONRenderer):
    """Compact JSON, Chinese as UTF-8 bytes, not \\uXXXX escapes (3 bytes a character, not 6).

    A 100-row customer page: 167 KB escaped, 136 KB so. The content type stays
    `application/json; charset=utf-8` (the renderer's charset); every response built by the
    API, exception handlers and the catch-all 404 included, goes through it.
    """

    json_dumps_params = {"ensure_ascii": False, "separators": (",", ":")}


class LocalSwagger(Swagger):
    """Swagger UI from the npm package swagger-ui-dist, served from /static/, never a CDN.

    `make install` copies its files into static (tools/collect_assets.py), so the docs work on a
    machine without internet.
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        auths = api.auth if isinstance(api.auth, list | tuple) else []
        add_csrf = any(getattr(auth, "csrf", False) for auth in auths)
        context = {"api": api, "swagger_settings": swagger_settings, "add_csrf": add_csrf}
        return render(request, "api/docs.html", context)


api = KehuAPI(
    title="Kehu API",
    version="1",
    description="Kehu (客户) CRM. Authenticate with the browser session or `Authorization: Bearer <token>`.",
    auth=api_auth(),
    urls_namespace="api",
    renderer=UTF8JSONRenderer(),
    parser=ControlFreeParser(),
    docs=LocalSwagger(),
)

# Before the customers router: its /customers/{customer_no} would take /customers/bulk.
api.add_router("/", collab_bulk_router)
api.add_router("/", value_router)  # before customers: /customers/{no}/value
api.add_router("/", customers_router)
api.add_router("/", access_router)
api.add_router("/", saved_views_router)
api.add_router("/", custom_fields_router)
api.add_router("/", review_router)
api.add_router("/", audit_router)
api.add_router("/", dedupe_router)
api.add_router("/", interactions_router)
api.add_router("/", followups_router)
api.add_router("/", desk_router)
api.add_router("/reports/", reports_router)
api.add_router("/reports/", analyses_reports_router)
api.add_router("/", analyses_router)
api.add_router("/reports/", named_reports_router)  # health, churn, dormancy, kpi (issue 18)
api.add_router("/dashboard", dashboard_router)
api.add_router("/", pipeline_router)  # before /opportunities/{id}: /opportunities/forecast
api.add_router("/", opportunities_router)
api.add_router("/", accounts_router)
api.add_router("/", users_router)
api.add_router("/", company_router)
api.add_router("/", core_router)
api.add_router("/", intake_router)
api.add_router("/", search_router)
api.add_router("/", capture_router)
api.add_router("/", tags_router)
api.add_router("/", tag_rules_router)
api.add_router("/", collab_router)
api.add_router("/", workflow_router)
api.add_router("/", propensity_router)
api.add_router("/", freshness_router)
api.add_router("/", segments_router)
api.add_router("/", help_router)
api.add_router("/training/", training_router)
api.add_router("/", oauth_router)  # connected applications (OAuth 2.0)
api.add_router("/", privacy_router)


# Where ninja found a value (the first element of an error's `loc`), and the names of the
# parameters that hold a whole schema (`payload: CustomerIn`, `filters: Query[...]`).
LOCATIONS = {"body", "query", "path", "file", "form", "header", "cookie"}
WRAPPERS = {"payload", "filters", "params"}


def _field_name(loc: list[object]) -> str:
    """The field a schema error is about, as the client names it: 'name', 'lines[0].amount'."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in LOCATIONS:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in WRAPPERS:
        parts = parts[1:]
    name = ""
    for part in parts:
        if part.isdigit():
            name += f"[{part}]"
        else:
            name += f".{part}" if name else part
    return name or "request"


@api.exception_handler(ValidationFailed)
def on_validation_failed(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": exc.message, "code": exc.code, "errors": exc.errors},
        status=exc.status_code,
    )


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        field = _field_name(list(error.get("loc", [])))
        errors.setdefault(field, []).append(schema_error_message(error))
    return api.create_response(
        request,
        {
            "detail": _("Check these fields: %(fields)s") % {"fields": ", ".join(errors)},
            "code": "validation_failed",
            "errors": errors,
        },
        status=422,
    )


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": exc.message,
            "code": exc.code,
            **(exc.payload() if hasattr(exc, "payload") else {}),
        },
        status=exc.status_code,
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Not found, or not visible to you."), "code": "not_found"}, status=404
    )


@api.exception_handler(DjangoPermissionDenied)
def on_forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": str(exc) or _("You are not allowed to do this."), "code": "permission_denied"},
        status=403,
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": _("Authentication required: log in or send a Bearer token."),
            "code": "unauthenticated",
        },
        status=401,
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # ninja could not parse the body (JSONDecodeError, UnicodeDecodeError): name it.
        cause = exc.__cause__
        where = getattr(cause, "pos", None)  # JSONDecodeError: the character it stopped at
        message = (
            _("Send the body as JSON in UTF-8 (it cannot be read from character %(pos)s).")
            % {"pos": where}
            if where is not None
            else _("Send the body as JSON in UTF-8.")
        )
        return api.create_response(
            request,
            {"detail": message, "code": "bad_json", "errors": {"body": [message]}},
            status=400,
        )
    return api.create_response(
        request, {"detail": str(exc), "code": "error"}, status=exc.status_code
    )


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    unavailable = outage.outage_response(request, exc)  # e.g. wrapped by pydantic: still a 503
    if unavailable is not None:
        return unavailable
    logger.exception("Unhandled API error", exc_info=exc)
    return api.create_response(
        request,
        {
            "detail": _("Something went wrong on our side; nothing was saved."),
            "code": "server_error",
        },
        status=500,
    )


request_errors.register(api)  # bodies too large, malformed multipart, lone surrogates: 4xx
outage.register(api)  # the database down or restarting: 503, not 500 (kehu.core.outage)
