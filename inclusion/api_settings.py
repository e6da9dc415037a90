"""GET /api/v1/settings/: the family search, read-only and open to anyone.

The same inputs, the same selector and the same answer as the page at /find-a-setting/. No
authentication is read (so no session is touched and no cookie is set); requests are throttled
per address with their own scope, "settings_search".
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inclusion.needs import BroadArea, NeedType
from inclusion.public.widgets import setting_path
from inclusion.search import DISTANCES_MILES, PAGE_SIZE, YEAR_GROUPS, EhcPlan, find_settings
from inclusion.search_inputs import SearchInvalid, parse_search
from inclusion.throttles import SettingsSearchThrottle


class SettingsSearchAreaSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="DfE's 3-digit LA code.")
    name = serializers.CharField()


class SettingsSearchReasonSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text='"place": a specialist place in the area\'s published local inclusion plan; '
        '"declared": provision declared by the setting and accepted by the area.'
    )
    text = serializers.CharField()


class SettingsSearchResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    urn = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    setting_type = serializers.CharField()
    setting_type_name = serializers.CharField()
    area = SettingsSearchAreaSerializer(allow_null=True)
    age_low = serializers.IntegerField(allow_null=True)
    age_high = serializers.IntegerField(allow_null=True)
    distance_miles = serializers.FloatField(
        allow_null=True, help_text="Straight-line distance, when a postcode and location are known."
    )
    group = serializers.CharField(
        help_text='"places_or_support" (listed first: "Settings with places or support for this '
        'need") or "other".'
    )
    reasons = SettingsSearchReasonSerializer(many=True)
    page_url = serializers.CharField(help_text="The setting's public page.")


class SettingsSearchSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    with_places_or_support_count = serializers.IntegerField()
    distance_available = serializers.BooleanField()
    areas = SettingsSearchAreaSerializer(many=True)
    results = SettingsSearchResultSerializer(many=True)


# The API's one error shape (its component is defined with the rest of the API).
ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}


def _param(name: str, kind: Any, description: str, **kwargs: Any) -> OpenApiParameter:
    return OpenApiParameter(
        name, kind, location=OpenApiParameter.QUERY, description=description, **kwargs
    )


PARAMETERS = [
    _param("postcode", OpenApiTypes.STR, "Where the family lives, e.g. SW1A 1AA. Or give `area`."),
    _param(
        "area", OpenApiTypes.STR, "The family's local authority: its 3-digit LA code or GSS code."
    ),
    _param("also", OpenApiTypes.STR, "Another local authority to search too (up to 5).", many=True),
    _param(
        "distance",
        OpenApiTypes.INT,
        "Search within this many miles of the postcode instead of by area.",
        enum=list(DISTANCES_MILES),
    ),
    _param("age", OpenApiTypes.INT, "The child's age, 0 to 25. Or give `year_group`."),
    _param(
        "year_group",
        OpenApiTypes.STR,
        "The year group the child will join.",
        enum=list(YEAR_GROUPS),
    ),
    _param("need", OpenApiTypes.STR, "Broad area of need.", enum=list(BroadArea.values)),
    _param(
        "need_type",
        OpenApiTypes.STR,
        "GIAS need types, refining `need`.",
        many=True,
        enum=list(NeedType.values),
    ),
    _param(
        "ehc",
        OpenApiTypes.STR,
        "Whether the child has an EHC plan.",
        enum=[v for v, _ in EhcPlan.CHOICES],
    ),
    _param("page", OpenApiTypes.INT, f"Page of results, {PAGE_SIZE} a page."),
]


class SettingsSearchView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [SettingsSearchThrottle]

    @extend_schema(
        operation_id="settings_search",
        summary="Find a setting",
        description=(
            "Every open setting that could take the child, by age and phase, in the family's "
            "area(s) or within a distance. Settings with places or support for the need come "
            "first, each with its reasons: a specialist place in the area's published local "
            "inclusion plan, or provision declared by the setting and accepted by the area. "
            "No setting is hidden, none is called suitable or unsuitable, and nothing is scored. "
            "Open to anyone without a token; throttled per address. Inputs are not stored or logged."
        ),
        tags=["find a setting"],
        auth=[],
        parameters=PARAMETERS,
        responses={
            200: SettingsSearchSerializer,
            **{
                code: OpenApiResponse(response=ERROR_SCHEMA, description=text)
                for code, text in (
                    (400, "The inputs cannot be used: `errors` names each one."),
                    (404, "No such address."),
                    (405, "Only GET is allowed."),
                    (406, "Only JSON is offered."),
                    (429, "Too many requests from this address: wait and retry."),
                )
            },
        },
    )
    def get(self, request: Request) -> Response:
        try:
            query = parse_search(request.query_params)
        except SearchInvalid as invalid:
            raise ValidationError({k: [v] for k, v in invalid.errors.items()}) from None
        found = find_settings(query=query, page=request.query_params.get("page", 1))
        body = {
            "count": found.total,
            "page": found.page.number,
            "pages": found.page.paginator.num_pages,
            "with_places_or_support_count": found.with_support_count,
            "distance_available": found.distance_available,
            "areas": [{"code": a.code, "name": a.name} for a in query.areas],
            "results": [
                {
                    "id": r.provider.pk,
                    "urn": r.provider.urn,
                    "name": r.provider.name,
                    "setting_type": r.provider.provider_type,
                    "setting_type_name": r.provider.get_provider_type_display(),
                    "area": {"code": r.provider.area.code, "name": r.provider.area.name}
                    if r.provider.area
                    else None,
                    "age_low": r.provider.statutory_low_age,
                    "age_high": r.provider.statutory_high_age,
                    "distance_miles": r.distance_miles,
                    "group": "places_or_support" if r.reasons else "other",
                    "reasons": [{"kind": x.kind, "text": x.text} for x in r.reasons],
                    "page_url": setting_path(r.provider.pk),
                }
                for r in found.results
            ],
        }
        # The body has the serializer's shape and types already (SettingsSearchSerializer
        # describes it for the schema); running it again cost a fifth of the call's CPU.
        return Response(body)


urlpatterns = [path("", SettingsSearchView.as_view(), name="settings-search")]
