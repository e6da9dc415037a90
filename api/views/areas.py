"""Areas: the ones you can see, their active gaps, and their summary."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.filters import filter_parameters
from api.schema import READ_ERRORS, RETRY_AFTER, errors, merged
from api.serializers.gaps import GapSerializer
from api.serializers.providers import AreaSerializer
from api.serializers.summaries import AreaSummarySerializer, SummaryParams, summary_data
from api.views.base import ApiViewSet, list_schema, read_schema
from dashboards import selectors as dashboard_selectors
from providers.filters import AreaFilter
from providers.models import Area
from scoring import selectors as scoring_selectors
from scoring.forms import AreaGapFilter
from scoring.models import Gap

AREA_CODE = OpenApiParameter(
    "code", str, location=OpenApiParameter.PATH, description="The 3-digit LA code."
)


@extend_schema(tags=["providers"])
@extend_schema_view(
    list=list_schema(AreaSerializer(many=True), AreaFilter, "List your areas"),
    retrieve=read_schema(AreaSerializer, "Read an area", AREA_CODE),
    gaps=extend_schema(
        tags=["results and gaps"],
        summary="List the active gaps of an area's providers that you can see",
        parameters=[AREA_CODE, *filter_parameters(AreaGapFilter), RETRY_AFTER],
        responses=merged({200: GapSerializer(many=True)}, errors(*READ_ERRORS)),
    ),
    summary=extend_schema(
        tags=["results and gaps"],
        summary="Read an area's summary: the same numbers as its dashboard",
        description="For the area's officers, national analysts and site admins (ICB officers "
        "see areas through their ICB's dashboard, where only health requirements count).",
        parameters=[AREA_CODE, SummaryParams, RETRY_AFTER],
        responses=merged({200: AreaSummarySerializer}, errors(*READ_ERRORS)),
    ),
)
class AreaViewSet(ApiViewSet):
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Any]:
        return Area.objects.all()

    def list(self, request: Request) -> Response:
        return self.listed(self.scoped(), AreaSerializer)

    def retrieve(self, request: Request, code: str) -> Response:
        area = self.scoped().filter(code=code[:3]).first() if len(code) == 3 else None
        if area is None:
            raise exceptions.NotFound()
        return Response(AreaSerializer(area).data)

    @action(detail=True, methods=["get"])
    def gaps(self, request: Request, code: str) -> Response:
        params = self.params(AreaGapFilter, Gap.objects.none())
        found = scoring_selectors.gaps_for_area(
            user=request.user, area_code=code[:3], status=params.get("status")
        )
        page = self.paginate_queryset(
            found.gaps.select_related("standard").order_by(
                "provider__name", "requirement_key", "id"
            )
        )
        return self.get_paginated_response(GapSerializer(page, many=True).data)

    @action(detail=True, methods=["get"])
    def summary(self, request: Request, code: str) -> Response:
        params = SummaryParams(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        if len(code) != 3:
            raise exceptions.NotFound()
        board = dashboard_selectors.area_dashboard(
            user=request.user, code=code, standard_slug=params.validated_data.get("standard")
        )
        return Response(summary_data(board))
