"""One gap: read it with its history, plan action on it, add a note."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import PreconditionFailed, PreconditionRequired
from api.schema import (
    ETAG_HEADER,
    IF_MATCH,
    READ_ERRORS,
    RETRY_AFTER,
    WRITE_ERRORS,
    errors,
    id_parameter,
    merged,
)
from api.serializers.gaps import (
    GapDetailSerializer,
    GapNoteSerializer,
    GapPatchSerializer,
    gap_etag,
)
from api.views.base import ApiViewSet, acting_user, parse_id
from scoring import selectors as scoring_selectors
from scoring import services as scoring_services
from scoring.models import Gap

GAP_ID = id_parameter("A gap's id.")


def gap_detail(user: Any, gap_id: int) -> scoring_selectors.GapDetail:
    provider_id = Gap.objects.filter(pk=gap_id).values_list("provider_id", flat=True).first()
    if provider_id is None:
        raise exceptions.NotFound()
    return scoring_selectors.gap_for(user=user, provider_id=provider_id, gap_id=gap_id)


def gap_response(detail: scoring_selectors.GapDetail, code: int = 200) -> Response:
    data = GapDetailSerializer(
        detail.gap, context={"can_change": detail.can_change, "events": detail.events}
    ).data
    response = Response(data, status=code)
    response["ETag"] = gap_etag(detail.gap)
    return response


def changeable(detail: scoring_selectors.GapDetail) -> Gap:
    if not detail.can_change:
        raise exceptions.PermissionDenied("You can read this gap but not change it.")
    return detail.gap


@extend_schema_view(
    retrieve=extend_schema(
        tags=["results and gaps"],
        summary="Read a gap with its history",
        parameters=[GAP_ID, ETAG_HEADER, RETRY_AFTER],
        responses=merged({200: GapDetailSerializer}, errors(*READ_ERRORS)),
    ),
    partial_update=extend_schema(
        tags=["results and gaps"],
        summary="Plan action on a gap, accept it, or open it again",
        description="Fields left out keep their current value. Allowed to the provider's "
        "editors and its area's officers.",
        request=GapPatchSerializer,
        parameters=[GAP_ID, IF_MATCH, ETAG_HEADER, RETRY_AFTER],
        responses=merged(
            {200: GapDetailSerializer},
            errors(*[c for c in WRITE_ERRORS if c != 409], 412, 428),
        ),
    ),
    notes=extend_schema(
        tags=["results and gaps"],
        summary="Add a note to a gap's history",
        description="Open or closed gaps. Allowed to the provider's editors and its area's "
        "officers. Needs no If-Match: a note changes nothing else on the gap.",
        request=GapNoteSerializer,
        parameters=[GAP_ID, ETAG_HEADER, RETRY_AFTER],
        responses=merged(
            {201: GapDetailSerializer},
            errors(*[c for c in WRITE_ERRORS if c != 409]),
        ),
    ),
)
class GapViewSet(ApiViewSet):
    serializer_class = GapDetailSerializer
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self) -> Any:  # for the schema only
        return Gap.objects.none()

    def retrieve(self, request: Request, pk: str) -> Response:
        return gap_response(gap_detail(request.user, parse_id(pk)))

    def partial_update(self, request: Request, pk: str) -> Response:
        gap = changeable(gap_detail(request.user, parse_id(pk)))
        header = request.headers.get("If-Match")
        if header is None or not header.strip():
            raise PreconditionRequired("Send If-Match with the gap's ETag from your last GET.")
        if gap_etag(gap) not in [t.strip() for t in header.split(",")]:
            raise PreconditionFailed(
                "The gap has changed since you read it: GET it again and retry."
            )
        body = GapPatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = {
            "status": gap.status,
            "action_plan": gap.action_plan,
            "owner": gap.owner,
            "due_date": gap.due_date,
            "accepted_reason": gap.accepted_reason,
            "accepted_until": gap.accepted_until,
            **body.validated_data,
        }
        scoring_services.update_gap(
            gap_id=gap.pk, actor=acting_user(request), row_version=gap.row_version, **fields
        )
        return gap_response(gap_detail(request.user, gap.pk))

    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str) -> Response:
        gap = changeable(gap_detail(request.user, parse_id(pk)))
        body = GapNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        scoring_services.add_gap_note(
            gap_id=gap.pk, actor=acting_user(request), note=body.validated_data["note"]
        )
        return gap_response(gap_detail(request.user, gap.pk), 201)
