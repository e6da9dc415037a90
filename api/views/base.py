"""What every endpoint shares: authentication, throttling, JSON, paging, validated parameters."""

from __future__ import annotations

import re
from typing import Any, cast

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from api import filters
from api.authentication import BearerTokenAuthentication
from api.pagination import ApiPagination
from api.parsers import JSONParser
from api.permissions import CanChange, InScope
from api.renderers import JSONRenderer
from api.schema import READ_ERRORS, RETRY_AFTER, errors, merged
from api.throttles import TokenRateThrottle


def acting_user(request: Request) -> User:
    """The signed-in person making the request (CanChange lets no one else through)."""
    return cast(User, request.user)


ID_RE = re.compile(r"^[0-9]{1,18}$")


def parse_id(value: Any) -> int:
    """A URL id, or 404 for anything that is not one (letters, signs, huge numbers)."""
    if not isinstance(value, str) or not ID_RE.match(value):
        raise exceptions.NotFound()
    return int(value)


class ApiViewSet(viewsets.GenericViewSet):
    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [CanChange]
    filter_backends = [InScope]
    throttle_classes = [TokenRateThrottle]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    pagination_class = ApiPagination
    filterset_class: type[django_filters.FilterSet] = filters.NoFilters

    def scoped(self) -> QuerySet[Any]:
        """What the person may see of this endpoint's objects."""
        return self.filter_queryset(self.get_queryset())

    def params(
        self,
        filterset_class: type[django_filters.FilterSet] | None = None,
        queryset: QuerySet[Any] | None = None,
    ) -> dict[str, Any]:
        filterset = filters.checked(
            filterset_class or self.filterset_class,
            self.request.query_params,
            queryset if queryset is not None else self.get_queryset().none(),
        )
        return dict(filterset.form.cleaned_data)

    def listed(
        self,
        queryset: QuerySet[Any],
        serializer_class: type,
        filterset_class: type[django_filters.FilterSet] | None = None,
        **context: Any,
    ) -> Response:
        filterset = filters.checked(
            filterset_class or self.filterset_class, self.request.query_params, queryset
        )
        page = self.paginate_queryset(filterset.qs)
        data = serializer_class(page, many=True, context={"request": self.request, **context}).data
        return self.get_paginated_response(data)


def list_schema(
    response: Any, filterset_class: type[django_filters.FilterSet], summary: str
) -> Any:
    return extend_schema(
        summary=summary,
        parameters=[*filters.filter_parameters(filterset_class), RETRY_AFTER],
        responses=merged({200: response}, errors(*READ_ERRORS)),
    )


def read_schema(response: Any, summary: str, *parameters: OpenApiParameter) -> Any:
    return extend_schema(
        summary=summary,
        parameters=[*parameters, RETRY_AFTER],
        responses=merged({200: response}, errors(*READ_ERRORS)),
    )
