"""Scoring results and gaps through the API, read from `scoring.selectors` and changed through
`scoring.services.update_gap`: the same rules as the result and gap pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api import filters
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
from api.serializers import ProviderRefSerializer, StrictSerializer, VersionRefSerializer
from scoring import selectors as scoring_selectors
from scoring import services as scoring_services
from scoring.engine import Outcome
from scoring.models import Gap, GapStatus, Trigger

OUTCOMES = [(o.value, o.value.replace("_", " ").capitalize()) for o in Outcome]


# ---- results ----------------------------------------------------------------------------------


class RunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    declaration = serializers.IntegerField(source="declaration_id")
    assessed_on = serializers.DateField()
    engine_version = serializers.CharField()
    content_hash = serializers.CharField(help_text="The SHA-256 of the standard version scored.")
    trigger = serializers.ChoiceField(choices=Trigger.choices)
    created_at = serializers.DateTimeField()


class RequirementResultSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    strength = serializers.CharField()
    theme = serializers.CharField()
    outcome = serializers.ChoiceField(choices=OUTCOMES)
    answer = serializers.CharField(help_text="The answer scored, as the result page shows it.")
    rule = serializers.CharField(help_text="The rule in plain English.")
    why = serializers.CharField(help_text="Why the requirement has this outcome.")
    scored = serializers.BooleanField(source="contribution.scored")
    points_available = serializers.FloatField(
        source="contribution.overall_points",
        allow_null=True,
        help_text="Its share of the overall 100 points. null when health_only.",
    )
    points_earned = serializers.FloatField(
        source="contribution.earned_overall_points",
        allow_null=True,
        help_text="null when health_only.",
    )


class SectionResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    weight = serializers.FloatField()
    score = serializers.FloatField(allow_null=True, help_text="0 to 100. null when health_only.")
    count = serializers.IntegerField(
        allow_null=True, help_text="Requirements scored in the section. null when health_only."
    )
    requirements = RequirementResultSerializer(many=True)


class OutcomeCountSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=OUTCOMES, source="outcome.value")
    must = serializers.IntegerField()
    should = serializers.IntegerField()
    good_practice = serializers.IntegerField()
    total = serializers.IntegerField()


class ResultSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[("none", "none"), ("pending", "pending"), ("ready", "ready")],
        help_text="none: nothing submitted yet; pending: the latest submission is being scored "
        "(any result below is the previous one); ready: the result below is for the latest "
        "submission.",
    )
    provider = ProviderRefSerializer()
    standard = serializers.CharField(allow_null=True, help_text="The standard's slug.")
    latest_declaration = serializers.IntegerField(
        allow_null=True, help_text="The provider's latest submitted declaration of the standard."
    )
    version = VersionRefSerializer(allow_null=True)
    run = RunSerializer(allow_null=True)
    score = serializers.FloatField(
        allow_null=True,
        help_text="0 to 100 (XCCDF default model). null with no result, or when health_only.",
    )
    all_musts_met = serializers.BooleanField(
        allow_null=True, help_text="null with no result, or when health_only."
    )
    health_only = serializers.BooleanField(
        help_text="true when you see the provider as an ICB officer: only its health "
        "requirements are listed (counts are of those), and, as on the result page, no score is "
        "given: score, all_musts_met, each section's score and count and each requirement's "
        "points_available and points_earned are null."
    )
    counts = OutcomeCountSerializer(many=True)
    sections = SectionResultSerializer(many=True)


def result_data(result: scoring_selectors.Result) -> dict[str, Any]:
    latest = result.latest_declaration
    if latest is None:
        state = "none"
    elif result.pending or result.run is None or result.run.declaration_id != latest.pk:
        state = "pending"
    else:
        state = "ready"
    run = result.run
    sections = SectionResultSerializer(result.sections, many=True).data
    if result.health_only:
        # The scores count requirements outside health, which an ICB officer may not see.
        for section in sections:
            section["score"] = section["count"] = None
            for row in section["requirements"]:
                row["points_available"] = row["points_earned"] = None
    scored_run = run if run is not None and not result.health_only else None
    return {
        "state": state,
        "provider": ProviderRefSerializer(result.provider).data,
        "standard": result.standard.slug if result.standard else None,
        "latest_declaration": latest.pk if latest else None,
        "version": VersionRefSerializer(result.version).data if result.version else None,
        "run": RunSerializer(run).data if run else None,
        "score": scored_run.score if scored_run else None,
        "all_musts_met": scored_run.all_musts_met if scored_run else None,
        "health_only": result.health_only,
        "counts": [
            {
                "outcome": row.outcome.value,
                **dict(zip(("must", "should", "good_practice"), row.by_strength, strict=False)),
                "total": row.total,
            }
            for row in result.counts
        ],
        "sections": sections,
    }


# ---- gaps -------------------------------------------------------------------------------------


class GapSerializer(serializers.ModelSerializer):
    provider = serializers.IntegerField(source="provider_id", help_text="The provider's id.")
    standard = serializers.CharField(source="standard.slug")
    status = serializers.ChoiceField(choices=GapStatus.choices)
    etag = serializers.SerializerMethodField(help_text="Send it in If-Match to change the gap.")

    class Meta:
        model = Gap
        fields = [
            "id",
            "provider",
            "standard",
            "requirement_key",
            "title",
            "strength",
            "theme",
            "status",
            "opened_at",
            "resolved_at",
            "closed_at",
            "action_plan",
            "owner",
            "due_date",
            "accepted_reason",
            "accepted_until",
            "updated_at",
            "etag",
        ]

    def get_etag(self, gap: Gap) -> str:
        return gap_etag(gap)


class GapEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    status = serializers.ChoiceField(choices=GapStatus.choices)
    note = serializers.CharField()
    by = serializers.SerializerMethodField(help_text="Who did it; null for scoring runs.")

    def get_by(self, event: Any) -> str | None:
        return event.actor.get_full_name() if event.actor_id else None


class GapDetailSerializer(GapSerializer):
    can_change = serializers.SerializerMethodField(
        help_text="Whether you may change the gap's status and plan."
    )
    events = serializers.SerializerMethodField()

    class Meta(GapSerializer.Meta):
        fields = [*GapSerializer.Meta.fields, "can_change", "events"]

    def get_can_change(self, gap: Gap) -> bool:
        return bool(self.context.get("can_change"))

    @extend_schema_field(GapEventSerializer(many=True))
    def get_events(self, gap: Gap) -> list[dict[str, Any]]:
        return GapEventSerializer(self.context.get("events", []), many=True).data  # type: ignore[return-value]


class GapPatchSerializer(StrictSerializer):
    status = serializers.ChoiceField(
        choices=filters.ACTIVE_GAP_STATUS_CHOICES,
        required=False,
        help_text="open, in_progress (with action_plan, owner and due_date) or accepted (with "
        "accepted_reason and accepted_until). Resolved and superseded come from scoring only.",
    )
    action_plan = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    owner = serializers.CharField(required=False, allow_blank=True, max_length=200)
    due_date = serializers.DateField(required=False, allow_null=True)
    accepted_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    accepted_until = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Give at least one field to change")
        for name in ("due_date", "accepted_until"):
            day = attrs.get(name)
            if day is not None and not dt.date(1900, 1, 1) <= day <= dt.date(2999, 12, 31):
                raise serializers.ValidationError({name: ["Enter a real date"]})
        return attrs


class GapNoteSerializer(StrictSerializer):
    note = serializers.CharField(
        max_length=scoring_services.NOTE_MAX_LENGTH,
        help_text="Kept in the gap's history, with who wrote it and when. Changes nothing else.",
    )


class GapParams(filters.ListParams):
    include_closed = serializers.BooleanField(
        required=False, help_text="Include resolved and superseded gaps (default false)."
    )


class AreaGapParams(filters.ListParams):
    status = serializers.ChoiceField(choices=filters.ACTIVE_GAP_STATUS_CHOICES, required=False)


def gap_etag(gap: Gap) -> str:
    return f'"gap-{gap.pk}-{gap.row_version}"'


def gap_detail(user: Any, gap_id: int) -> scoring_selectors.GapDetail:
    provider_id = Gap.objects.filter(pk=gap_id).values_list("provider_id", flat=True).first()
    if provider_id is None:
        raise exceptions.NotFound()
    try:
        return scoring_selectors.gap_for(user=user, provider_id=provider_id, gap_id=gap_id)
    except ObjectDoesNotExist as exc:
        raise exceptions.NotFound() from exc


@contextmanager
def gap_service_errors() -> Iterator[None]:
    """The gap services' refusals, as the API's 403 and 400."""
    try:
        yield
    except PermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc
    except ValidationError as exc:
        raise exceptions.ValidationError({k: list(v) for k, v in exc.message_dict.items()}) from exc


def gap_response(detail: scoring_selectors.GapDetail) -> Response:
    data = GapDetailSerializer(
        detail.gap, context={"can_change": detail.can_change, "events": detail.events}
    ).data
    response = Response(data)
    response["ETag"] = gap_etag(detail.gap)
    return response


RESULT_PARAMETERS = [
    OpenApiParameter("standard", str, description="A standard's slug (default: the provider's)."),
    OpenApiParameter("version", str, description='A version label, e.g. "1.0" (default: latest).'),
]


class ResultParams(StrictSerializer):
    standard = serializers.SlugField(required=False, max_length=100)
    version = serializers.CharField(required=False, max_length=20)


def provider_result(request: Request, provider_id: int) -> Response:
    params = ResultParams(data=request.query_params.dict())
    params.is_valid(raise_exception=True)
    try:
        result = scoring_selectors.result_for(
            user=request.user,
            provider_id=provider_id,
            standard_slug=params.validated_data.get("standard"),
            version_label=params.validated_data.get("version"),
        )
    except ObjectDoesNotExist as exc:
        raise exceptions.NotFound() from exc
    return Response(result_data(result))


def provider_gaps(view: Any, request: Request, provider_id: int) -> Response:
    params = view.params(GapParams)
    try:
        found = scoring_selectors.gaps_for(
            user=request.user,
            provider_id=provider_id,
            include_closed=params.get("include_closed", False),
        )
    except ObjectDoesNotExist as exc:
        raise exceptions.NotFound() from exc
    page = view.paginate_queryset(found.gaps)
    return view.get_paginated_response(GapSerializer(page, many=True).data)


def area_gaps(view: Any, request: Request, code: str) -> Response:
    params = view.params(AreaGapParams)
    try:
        found = scoring_selectors.gaps_for_area(
            user=request.user, area_code=code[:3], status=params.get("status")
        )
    except ObjectDoesNotExist as exc:
        raise exceptions.NotFound() from exc
    page = view.paginate_queryset(
        found.gaps.select_related("standard").order_by("provider__name", "requirement_key", "id")
    )
    return view.get_paginated_response(GapSerializer(page, many=True).data)


GAP_ID = id_parameter("A gap's id.")


def gap_schemas() -> dict[str, Any]:
    return {
        "retrieve": extend_schema(
            tags=["results and gaps"],
            summary="Read a gap with its history",
            parameters=[GAP_ID, ETAG_HEADER, RETRY_AFTER],
            responses=merged({200: GapDetailSerializer}, errors(*READ_ERRORS)),
        ),
        "partial_update": extend_schema(
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
        "notes": extend_schema(
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
    }


from api.views import (  # noqa: E402  (the views module does not import this one)
    ApiViewSet,
    AreaViewSet,
    ProviderViewSet,
    parse_id,
)


@extend_schema_view(**gap_schemas())
class GapViewSet(ApiViewSet):
    serializer_class = GapDetailSerializer
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self) -> Any:  # for the schema only
        return Gap.objects.none()

    def retrieve(self, request: Request, pk: str) -> Response:
        return gap_response(gap_detail(request.user, parse_id(pk)))

    def partial_update(self, request: Request, pk: str) -> Response:
        detail = gap_detail(request.user, parse_id(pk))
        gap = detail.gap
        if not detail.can_change:
            raise exceptions.PermissionDenied("You can read this gap but not change it.")
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
        try:
            with gap_service_errors():
                scoring_services.update_gap(
                    gap_id=gap.pk, actor=request.user, row_version=gap.row_version, **fields
                )
        except scoring_services.GapChanged as exc:
            raise PreconditionFailed() from exc
        return gap_response(gap_detail(request.user, gap.pk))

    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str) -> Response:
        detail = gap_detail(request.user, parse_id(pk))
        if not detail.can_change:
            raise exceptions.PermissionDenied("You can read this gap but not change it.")
        body = GapNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with gap_service_errors():
            scoring_services.add_gap_note(
                gap_id=detail.gap.pk, actor=request.user, note=body.validated_data["note"]
            )
        response = gap_response(gap_detail(request.user, detail.gap.pk))
        response.status_code = 201
        return response


PROVIDER_ID = id_parameter("A provider's id.")


@extend_schema_view(
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
        parameters=[PROVIDER_ID, GapParams, RETRY_AFTER],
        responses=merged({200: GapSerializer(many=True)}, errors(*READ_ERRORS)),
    ),
)
class ScoredProviderViewSet(ProviderViewSet):
    @action(detail=True, methods=["get"])
    def result(self, request: Request, pk: str) -> Response:
        return provider_result(request, parse_id(pk))

    @action(detail=True, methods=["get"])
    def gaps(self, request: Request, pk: str) -> Response:
        return provider_gaps(self, request, parse_id(pk))


@extend_schema_view(
    gaps=extend_schema(
        tags=["results and gaps"],
        summary="List the active gaps of an area's providers that you can see",
        parameters=[
            OpenApiParameter(
                "code", str, location=OpenApiParameter.PATH, description="The 3-digit LA code."
            ),
            AreaGapParams,
            RETRY_AFTER,
        ],
        responses=merged({200: GapSerializer(many=True)}, errors(*READ_ERRORS)),
    ),
)
class ScoredAreaViewSet(AreaViewSet):
    @action(detail=True, methods=["get"])
    def gaps(self, request: Request, code: str) -> Response:
        return area_gaps(self, request, code)
