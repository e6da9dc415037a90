"""Providers: the ones you can see, each one's scoring result, and its gaps."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.filters import GapFilter, filter_parameters
from api.schema import READ_ERRORS, RETRY_AFTER, errors, id_parameter, merged
from api.serializers.gaps import GapSerializer
from api.serializers.providers import ProviderSerializer
from api.serializers.results import ResultParams, ResultSerializer, result_data
from api.views.base import ApiViewSet, list_schema, parse_id, read_schema
from providers.filters import ProviderFilter
from providers.models import Provider
from scoring import selectors as scoring_selectors
from scoring.models import Gap

PROVIDER_ID = id_parameter("A provider's id.")
RESULT_PARAMETERS = [
    OpenApiParameter("standard", str, description="A standard's slug (default: the provider's)."),
    OpenApiParameter("version", str, description='A version label, e.g. "1.0" (default: latest).'),
]


@extend_schema(tags=["providers"])
@extend_schema_view(
    list=list_schema(ProviderSerializer(many=True), ProviderFilter, "List providers you can see"),
    retrieve=read_schema(ProviderSerializer, "Read a provider", PROVIDER_ID),
    result=extend_schema(
        tags=["results and gaps"],
        summary="Read the provider's current scoring result, with each requirement's outcome and why",
        description="Poll this after submitting: state is pending until the submission is "
        "scored, then ready.",
        parameters=[PROVIDER_ID, *RESULT_PARAMETERS, RETRY_AFTER],
        responses=merged({200: ResultSerializer}, errors(*READ_ERRORS)),
    ),
    gaps=extend_schema(
        tags=["results and gaps"],
        summary="List the provider's gaps",
        parameters=[PROVIDER_ID, *filter_parameters(GapFilter), RETRY_AFTER],
        responses=merged({200: GapSerializer(many=True)}, errors(*READ_ERRORS)),
    ),
)
class ProviderViewSet(ApiViewSet):
    serializer_class = ProviderSerializer
    filterset_class = ProviderFilter
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Any]:
        return Provider.objects.select_related("area", "trust", "icb")

    def list(self, request: Request) -> Response:
        return self.listed(self.scoped(), ProviderSerializer)

    def retrieve(self, request: Request, pk: str) -> Response:
        provider = self.scoped().filter(pk=parse_id(pk)).first()
        if provider is None:
            raise exceptions.NotFound()
        return Response(ProviderSerializer(provider).data)

    @action(detail=True, methods=["get"])
    def result(self, request: Request, pk: str) -> Response:
        params = ResultParams(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        result = scoring_selectors.result_for(
            user=request.user,
            provider_id=parse_id(pk),
            standard_slug=params.validated_data.get("standard"),
            version_label=params.validated_data.get("version"),
        )
        return Response(result_data(result))

    @action(detail=True, methods=["get"])
    def gaps(self, request: Request, pk: str) -> Response:
        params = self.params(GapFilter, Gap.objects.none())
        found = scoring_selectors.gaps_for(
            user=request.user,
            provider_id=parse_id(pk),
            include_closed=bool(params.get("include_closed")),
        )
        page: list[Any] | None = self.paginate_queryset(found.gaps)  # type: ignore[arg-type]
        return self.get_paginated_response(GapSerializer(page, many=True).data)
