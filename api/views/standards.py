"""Standards, their versions and their requirements."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api import filters
from api.schema import id_parameter
from api.serializers import standards as serializers
from api.views.base import ApiViewSet, list_schema, parse_id, read_schema
from standards import selectors as standard_selectors
from standards.models import Requirement, Section, Standard, StandardVersion

SLUG_PARAMETER = OpenApiParameter(
    "slug", str, location=OpenApiParameter.PATH, description="The standard's slug."
)


@extend_schema(tags=["standards"])
@extend_schema_view(
    list=list_schema(
        serializers.StandardSerializer(many=True), filters.NoFilters, "List the standards"
    ),
    retrieve=read_schema(serializers.StandardSerializer, "Read a standard", SLUG_PARAMETER),
)
class StandardViewSet(ApiViewSet):
    filter_backends: list[type] = []  # scoped by standards.selectors.standards_with_versions
    serializer_class = serializers.StandardSerializer
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"

    def list(self, request: Request) -> Response:
        self.params(queryset=Standard.objects.none())
        standards = standard_selectors.standards_with_versions(user=request.user)
        standards.sort(key=lambda s: s.pk)
        page: list[Any] | None = self.paginate_queryset(standards)  # type: ignore[arg-type]
        return self.get_paginated_response(serializers.StandardSerializer(page, many=True).data)

    def retrieve(self, request: Request, slug: str) -> Response:
        for standard in standard_selectors.standards_with_versions(user=request.user):
            if standard.slug == slug:
                return Response(serializers.StandardSerializer(standard).data)
        raise exceptions.NotFound()

    def get_queryset(self) -> QuerySet[Standard]:  # for the schema only
        return Standard.objects.none()


@extend_schema(tags=["standards"])
@extend_schema_view(
    list=list_schema(
        serializers.VersionSummarySerializer(many=True),
        filters.VersionFilter,
        "List the standard versions",
    ),
    retrieve=read_schema(
        serializers.VersionSerializer, "Read a standard version", id_parameter("A version's id.")
    ),
    requirements=list_schema(
        serializers.RequirementSerializer(many=True),
        filters.RequirementFilter,
        "List a version's requirements",
    ),
)
class VersionViewSet(ApiViewSet):
    filter_backends: list[type] = []  # scoped by standards.selectors.visible_versions
    serializer_class = serializers.VersionSerializer
    filterset_class = filters.VersionFilter
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[StandardVersion]:
        return standard_selectors.visible_versions(user=self.request.user)

    def version(self, pk: str) -> StandardVersion:
        version = self.get_queryset().filter(pk=parse_id(pk)).first()
        if version is None:
            raise exceptions.NotFound()
        return version

    def list(self, request: Request) -> Response:
        return self.listed(self.get_queryset(), serializers.VersionSummarySerializer)

    def retrieve(self, request: Request, pk: str) -> Response:
        version = (
            self.get_queryset()
            .prefetch_related(Prefetch("sections", queryset=Section.objects.order_by("order")))
            .filter(pk=parse_id(pk))
            .first()
        )
        if version is None:
            raise exceptions.NotFound()
        return Response(serializers.VersionSerializer(version).data)

    @action(detail=True, methods=["get"])
    def requirements(self, request: Request, pk: str) -> Response:
        version = self.version(pk)
        params = self.params(filters.RequirementFilter, Requirement.objects.none())
        requirements = standard_selectors.requirements_for(
            version=version, provider_type=params.get("provider_type")
        )
        return self.listed(
            requirements,
            serializers.RequirementSerializer,
            filters.RequirementFilter,
            lookup=standard_selectors.requirement_lookup(version),
        )
