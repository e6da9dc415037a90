"""GET /api/v1/areas/{code}/inclusion-plan/: an area's latest published local inclusion plan.

Read-only and open to anyone: no authentication is read (so no session is touched and no
cookie is set); requests are throttled per address with their own scope, "inclusion_plan"
(REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["inclusion_plan"], 60 a minute unless set). Only
published plans are shown, and of them only confirmed entries. 404 when the area has none.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inclusion.models import (
    CommonSetting,
    CommonSettingKind,
    InclusionPlan,
    PlaceKind,
    SpecialistPlace,
)
from inclusion.needs import BROAD_AREA_OF, NeedType
from inclusion.selectors.plans import latest_published_plan
from inclusion.throttles import InclusionPlanThrottle
from providers.models import Provider


class PlanSettingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    urn = serializers.CharField(allow_null=True)
    ukprn = serializers.CharField(allow_null=True)
    name = serializers.CharField()


class PlanAreaSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="DfE's 3-digit LA code.")
    name = serializers.CharField()


class OrdinarilyAvailableSerializer(serializers.Serializer):
    summary = serializers.CharField(
        help_text="What every mainstream setting offers without an EHC plan."
    )
    url = serializers.CharField(help_text="The area's own published document; empty if not given.")


class PlanContactsSerializer(serializers.Serializer):
    send_team = serializers.CharField()
    sendiass = serializers.CharField()
    local_offer_url = serializers.CharField()


class SpecialistPlaceSerializer(serializers.Serializer):
    setting = PlanSettingSerializer()
    kind = serializers.CharField(help_text="One of: " + ", ".join(PlaceKind.values) + ".")
    kind_name = serializers.CharField()
    need_types = serializers.ListField(
        child=serializers.CharField(),
        help_text="GIAS need codes: " + ", ".join(NeedType.values) + ".",
    )
    broad_areas = serializers.ListField(
        child=serializers.CharField(),
        help_text="The SEND Code of Practice's broad areas of those needs.",
    )
    age_low = serializers.IntegerField(allow_null=True)
    age_high = serializers.IntegerField(allow_null=True)
    places = serializers.IntegerField(
        allow_null=True, help_text="Places commissioned; null if not known."
    )
    on_roll = serializers.IntegerField(allow_null=True)
    more_on_roll_than_places = serializers.BooleanField()
    inside_area = serializers.BooleanField()


class CommonSettingSerializer(serializers.Serializer):
    setting = PlanSettingSerializer()
    kind = serializers.CharField(help_text="One of: " + ", ".join(CommonSettingKind.values) + ".")
    kind_name = serializers.CharField()
    note = serializers.CharField()


class InclusionPlanSerializer(serializers.Serializer):
    area = PlanAreaSerializer()
    academic_year = serializers.CharField(help_text='e.g. "2026/27".')
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    content_hash = serializers.CharField(help_text="SHA-256 of the plan's canonical JSON.")
    ordinarily_available = OrdinarilyAvailableSerializer()
    contacts = PlanContactsSerializer()
    specialist_places = SpecialistPlaceSerializer(many=True)
    common_settings = CommonSettingSerializer(many=True)


# The API's one error shape (the "Error" component, defined with the API's own serializers).
ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}


def _setting(provider: Provider) -> dict[str, Any]:
    return {"id": provider.pk, "urn": provider.urn, "ukprn": provider.ukprn, "name": provider.name}


def plan_body(plan: InclusionPlan) -> dict[str, Any]:
    places = (
        SpecialistPlace.objects.filter(plan=plan, confirmed=True)
        .select_related("provider")
        .order_by("kind", "provider__name", "pk")
    )
    common = (
        CommonSetting.objects.filter(plan=plan)
        .select_related("provider")
        .order_by("provider__name")
    )
    return {
        "area": {"code": plan.area.code, "name": plan.area.name},
        "academic_year": plan.academic_year,
        "version": plan.version,
        "published_at": plan.published_at,
        "content_hash": plan.content_hash,
        "ordinarily_available": {
            "summary": plan.ordinarily_available_summary,
            "url": plan.ordinarily_available_url,
        },
        "contacts": {
            "send_team": plan.send_team_contact,
            "sendiass": plan.sendiass_contact,
            "local_offer_url": plan.local_offer_url,
        },
        "specialist_places": [
            {
                "setting": _setting(p.provider),
                "kind": p.kind,
                "kind_name": p.get_kind_display(),
                "need_types": p.need_types,
                "broad_areas": sorted(
                    {str(BROAD_AREA_OF[c]) for c in p.need_types if c in BROAD_AREA_OF}
                ),
                "age_low": p.age_low,
                "age_high": p.age_high,
                "places": p.places,
                "on_roll": p.on_roll,
                "more_on_roll_than_places": p.over_capacity,
                "inside_area": p.inside_area,
            }
            for p in places
        ],
        "common_settings": [
            {
                "setting": _setting(c.provider),
                "kind": c.kind,
                "kind_name": c.get_kind_display(),
                "note": c.note,
            }
            for c in common
        ],
    }


class InclusionPlanView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [InclusionPlanThrottle]

    @extend_schema(
        operation_id="areas_inclusion_plan",
        summary="An area's local inclusion plan",
        description=(
            "The area's latest published local inclusion plan: what every mainstream setting "
            "offers without an EHC plan, the specialist places the area commissions or uses "
            "(confirmed by its officers), settings outside the area that its families often use, "
            "and contact routes. Open to anyone without a token; throttled per address."
        ),
        tags=["local inclusion plans"],
        auth=[],
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                location=OpenApiParameter.PATH,
                description="DfE's 3-digit LA code.",
            )
        ],
        responses={
            200: InclusionPlanSerializer,
            **{
                code: OpenApiResponse(response=ERROR_SCHEMA, description=text)
                for code, text in (
                    (404, "No such area, or it has no published plan."),
                    (405, "Only GET is allowed."),
                    (406, "Only JSON is offered."),
                    (429, "Too many requests from this address: wait and retry."),
                )
            },
        },
    )
    def get(self, request: Request, code: str) -> Response:
        plan = latest_published_plan(area_code=code)
        if plan is None:
            raise NotFound("This area has no published local inclusion plan.")
        return Response(InclusionPlanSerializer(plan_body(plan)).data)


urlpatterns = [path("", InclusionPlanView.as_view(), name="inclusion-plan")]
