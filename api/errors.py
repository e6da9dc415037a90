"""The one error format of the API, for every 4xx answer.

    {"status": 400, "title": "Invalid request", "detail": "…", "errors": {"field": ["message"]}}

`errors` names each bad field by its path in the request ("answers.SCH-COUNT.value",
"period", "page"); it is empty when the problem is not with one field.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from audits.answers import AnswerErrors
from audits.services import Conflict as StateConflict
from audits.services import IncompleteDeclaration, StaleAnswer, StaleDeclaration
from dashboards.selectors import NotFound as DashboardNotFound
from scoring.services import GapChanged

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


def answer_errors(errors: dict[str, Any]) -> dict[str, list[str]]:
    """Service errors keyed "KEY.field" (or "KEY"), as request paths "answers.KEY.field"."""
    return {
        f"answers.{key}": [message] if isinstance(message, str) else message
        for key, message in errors.items()
    }


def from_service(exc: Exception) -> Exception:
    """The services' refusals as the API's answers, in one place for every endpoint: field
    errors are 400, a state conflict 409, a change since the client read it 412, not allowed
    403 (or 404 where the endpoint cannot be seen)."""
    if isinstance(exc, Http404 | ObjectDoesNotExist | DashboardNotFound):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, RequestDataTooBig):
        # Raised by Django as DRF reads the body; left alone it would become Django's HTML 400.
        return ContentTooLarge()
    if isinstance(exc, StaleDeclaration | StaleAnswer | GapChanged):
        return PreconditionFailed()
    if isinstance(exc, StateConflict):
        return Conflict(" ".join(exc.messages))
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError({k: list(v) for k, v in exc.message_dict.items()})
        return exceptions.ValidationError({"non_field_errors": exc.messages})
    if isinstance(exc, AnswerErrors):
        return exceptions.ValidationError(answer_errors(exc.errors))
    if isinstance(exc, IncompleteDeclaration):
        flat = {
            f"{key}.{field}": message
            for key, fields in exc.errors.items()
            for field, message in fields.items()
        }
        return exceptions.ValidationError(
            {
                "non_field_errors": [
                    f"{len(exc.missing)} answers are missing or would be refused: "
                    "complete them, then submit again."
                ],
                **answer_errors(flat),
            }
        )
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = from_service(exc)
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
        given = exc.detail if isinstance(exc, exceptions.APIException) else None
        text = str(given) if given is not None and not isinstance(given, dict | list) else ""
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
