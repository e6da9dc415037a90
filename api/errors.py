"""The one error format of the API, for every 4xx answer.

    {"status": 400, "title": "Invalid request", "detail": "…", "errors": {"field": ["message"]}}

`errors` names each bad field by its path in the request ("answers.SCH-COUNT.value",
"period", "page"); it is empty when the problem is not with one field.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

TITLES = {
    400: "Invalid request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    428: "Precondition required",
    429: "Too many requests",
}


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send If-Match with the declaration's ETag from your last GET, so that you do not "
        "overwrite someone else's changes."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The declaration has changed since you read it: GET it again, check the answers and "
        "retry with its new ETag."
    )
    default_code = "precondition_failed"


class ContentTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "content_too_large"

    def __init__(self) -> None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
        super().__init__(f"The request body must be {limit:g} MB or smaller.")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


def flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"dotted.path": ["message", …]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            for k, v in flatten(value, path).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            if detail:
                out.setdefault(prefix or "non_field_errors", []).extend(str(i) for i in detail)
        else:
            for index, item in enumerate(detail):
                if not item:
                    continue
                path = f"{prefix}.{index}" if prefix else str(index)
                for k, v in flatten(item, path).items():
                    out.setdefault(k, []).extend(v)
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def problem(
    status_code: int, detail: str, errors: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    return {
        "status": status_code,
        "title": TITLES.get(status_code, "Error"),
        "detail": detail,
        "errors": errors or {},
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, RequestDataTooBig):
        # Raised by Django as DRF reads the body; left alone it would become Django's HTML 400.
        exc = ContentTooLarge()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling and logging
    code = response.status_code
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten(exc.detail)
        count = sum(len(v) for v in errors.values())
        if "non_field_errors" in errors:
            detail = errors["non_field_errors"][0]
        elif count == 1:
            detail = next(iter(errors.values()))[0]
        else:
            detail = f"There are {count} problems with the request: see errors."
        response.data = problem(code, detail, errors)
    else:
        detail = getattr(exc, "detail", None)
        text = str(detail) if detail is not None and not isinstance(detail, dict | list) else ""
        response.data = problem(code, text or TITLES.get(code, "Error"))
    return response


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any /api/ address that names no endpoint: the same JSON 404 as everywhere else."""
    return JsonResponse(
        problem(
            404,
            "There is no API endpoint at this address. Endpoint addresses end with a slash; "
            "see /api/v1/docs/.",
        ),
        status=404,
    )
