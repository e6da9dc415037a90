"""OpenAPI helpers: every operation documents its error answers with the one error shape."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from api.serializers.base import ERROR_DESCRIPTIONS, ErrorSerializer

READ_ERRORS = (400, 401, 404, 405, 406, 429)
WRITE_ERRORS = (400, 401, 403, 404, 405, 406, 409, 413, 415, 429)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {
        code: OpenApiResponse(response=ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
        for code in codes
    }


ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=[200, 201],
    description='The declaration\'s version, e.g. "12-3": send it back in If-Match to change it.',
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description="The ETag from your last GET of the declaration. Without it: 428; if the "
    "declaration changed since: 412.",
)
LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=[201],
    description="The new declaration's address, e.g. /api/v1/declarations/9001/.",
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before the next request.",
)


def id_parameter(description: str) -> OpenApiParameter:
    return OpenApiParameter(
        "id", OpenApiTypes.INT, location=OpenApiParameter.PATH, description=description
    )


def merged(*groups: Any) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for group in groups:
        out.update(group)
    return out
