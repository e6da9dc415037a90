"""What every endpoint shares: authentication, throttling, JSON, paging, validated parameters."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api import filters
from api.authentication import BearerTokenAuthentication
from api.pagination import ApiPagination
from api.parsers import JSONParser
from api.renderers import JSONRenderer
from api.schema import READ_ERRORS, RETRY_AFTER, errors, merged
from api.throttles import TokenRateThrottle

ID_RE = re.compile(r"^[0-9]{1,18}$")


def parse_id(value: Any) -> int:
    """A URL id, or 404 for anything that is not one (letters, signs, huge numbers)."""
    if not isinstance(value, str) or not ID_RE.match(value):
        raise exceptions.NotFound()
    return int(value)


class ApiViewSet(viewsets.GenericViewSet):
    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [TokenRateThrottle]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    pagination_class = ApiPagination
    params_class: type[filters.ListParams] = filters.ListParams

    def params(self, params_class: type[filters.ListParams] | None = None) -> dict[str, Any]:
        serializer = (params_class or self.params_class)(data=self.request.query_params.dict())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def listed(
        self,
        queryset: QuerySet[Any],
        serializer_class: type,
        params_class: type[filters.ListParams] | None = None,
        **context: Any,
    ) -> Response:
        params_class = params_class or self.params_class
        params = self.params(params_class)
        form = params_class()
        queryset = form.order(form.filter(queryset, params), params)
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context={"request": self.request, **context}).data
        return self.get_paginated_response(data)


def list_schema(response: Any, params: type[filters.ListParams], summary: str) -> Any:
    return extend_schema(
        summary=summary,
        parameters=[params, RETRY_AFTER],
        responses=merged({200: response}, errors(*READ_ERRORS)),
    )


def read_schema(response: Any, summary: str, *parameters: OpenApiParameter) -> Any:
    return extend_schema(
        summary=summary,
        parameters=[*parameters, RETRY_AFTER],
        responses=merged({200: response}, errors(*READ_ERRORS)),
    )
