"""API v1 endpoints. Thin: every read comes from the same selectors as the pages, every write
goes through the same services, so a token sees and does exactly what its user can."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api import filters, serializers
from api.authentication import BearerTokenAuthentication
from api.errors import Conflict, PreconditionFailed, PreconditionRequired
from api.pagination import ApiPagination
from api.parsers import JSONParser
from api.renderers import JSONRenderer
from api.schema import (
    ETAG_HEADER,
    IF_MATCH,
    LOCATION,
    READ_ERRORS,
    RETRY_AFTER,
    WRITE_ERRORS,
    errors,
    id_parameter,
    merged,
)
from api.throttles import TokenRateThrottle
from audits import selectors as audit_selectors
from audits import services as audit_services
from audits.answers import AnswerErrors, AnswerInput
from audits.models import Answer, Declaration
from providers import visibility
from standards import selectors as standard_selectors
from standards.models import Section, Standard, StandardVersion, VersionStatus

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


# ---- standards --------------------------------------------------------------------------------

SLUG_PARAMETER = OpenApiParameter(
    "slug", str, location=OpenApiParameter.PATH, description="The standard's slug."
)


@extend_schema(tags=["standards"])
@extend_schema_view(
    list=list_schema(
        serializers.StandardSerializer(many=True), filters.ListParams, "List the standards"
    ),
    retrieve=read_schema(serializers.StandardSerializer, "Read a standard", SLUG_PARAMETER),
)
class StandardViewSet(ApiViewSet):
    serializer_class = serializers.StandardSerializer
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"

    def list(self, request: Request) -> Response:
        self.params()
        standards = standard_selectors.standards_with_versions(user=request.user)
        standards.sort(key=lambda s: s.pk)
        page = self.paginate_queryset(standards)  # type: ignore[arg-type]
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
        filters.VersionParams,
        "List the standard versions",
    ),
    retrieve=read_schema(
        serializers.VersionSerializer, "Read a standard version", id_parameter("A version's id.")
    ),
    requirements=list_schema(
        serializers.RequirementSerializer(many=True),
        filters.RequirementParams,
        "List a version's requirements",
    ),
)
class VersionViewSet(ApiViewSet):
    serializer_class = serializers.VersionSerializer
    params_class = filters.VersionParams
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
        params = self.params(filters.RequirementParams)
        requirements = standard_selectors.requirements_for(
            version=version, provider_type=params.get("provider_type")
        )
        return self.listed(
            requirements,
            serializers.RequirementSerializer,
            filters.RequirementParams,
            lookup=standard_selectors.requirement_lookup(version),
        )


# ---- areas and providers ----------------------------------------------------------------------


@extend_schema(tags=["providers"])
@extend_schema_view(
    list=list_schema(serializers.AreaSerializer(many=True), filters.AreaParams, "List your areas"),
    retrieve=read_schema(
        serializers.AreaSerializer,
        "Read an area",
        OpenApiParameter(
            "code", str, location=OpenApiParameter.PATH, description="The 3-digit LA code."
        ),
    ),
)
class AreaViewSet(ApiViewSet):
    serializer_class = serializers.AreaSerializer
    params_class = filters.AreaParams
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Any]:
        return visibility.visible_areas(user=self.request.user)

    def list(self, request: Request) -> Response:
        return self.listed(self.get_queryset(), serializers.AreaSerializer)

    def retrieve(self, request: Request, code: str) -> Response:
        area = self.get_queryset().filter(code=code[:3]).first() if len(code) == 3 else None
        if area is None:
            raise exceptions.NotFound()
        return Response(serializers.AreaSerializer(area).data)


@extend_schema(tags=["providers"])
@extend_schema_view(
    list=list_schema(
        serializers.ProviderSerializer(many=True),
        filters.ProviderParams,
        "List providers you can see",
    ),
    retrieve=read_schema(
        serializers.ProviderSerializer, "Read a provider", id_parameter("A provider's id.")
    ),
)
class ProviderViewSet(ApiViewSet):
    serializer_class = serializers.ProviderSerializer
    params_class = filters.ProviderParams
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Any]:
        return visibility.visible_providers(user=self.request.user)

    def list(self, request: Request) -> Response:
        return self.listed(self.get_queryset(), serializers.ProviderSerializer)

    def retrieve(self, request: Request, pk: str) -> Response:
        provider = self.get_queryset().filter(pk=parse_id(pk)).first()
        if provider is None:
            raise exceptions.NotFound()
        return Response(serializers.ProviderSerializer(provider).data)


# ---- declarations -----------------------------------------------------------------------------

ANSWER_FIELDS = (
    "id",
    "declaration_id",
    "requirement_key",
    "answer_type",
    "value_bool",
    "value_number",
    "value_date",
    "value_text",
    "value_choices",
    "not_applicable",
    "not_applicable_reason",
    "evidence_url",
    "evidence_note",
    "needs_attention",
    "attention_reason",
    "review_state",
    "review_comment",
    "updated_at",
)


def declaration_data(request: Request, declaration: Declaration) -> dict[str, Any]:
    """The declaration with the answers its reader may see: one query for the answers, read as
    values (the selector decides which answers; no model instances are built)."""
    answers = list(
        audit_selectors.declaration_answers(user=request.user, declaration=declaration)
        .select_related(None)
        .values(*serializers.ANSWER_COLUMNS)
    )
    data = serializers.declaration_summary(declaration)
    health = visibility.health_only(user=request.user, provider=declaration.provider)
    rows = [serializers.answer_data(a) for a in answers]
    data["review_comment"] = declaration.review_comment
    data["health_review_comment"] = declaration.health_review_comment
    data["answers_scope"] = "health" if health else "all"
    data["answered"] = sum(1 for a in rows if a["not_applicable"] or a["value"] is not None)
    data["total"] = len(rows)
    data["answers"] = rows
    return data


def with_etag(response: Response, declaration: Declaration) -> Response:
    response["ETag"] = declaration.etag
    return response


def expected_version(request: Request, declaration: Declaration) -> int:
    """The row version the client last saw, from If-Match; 428 without it, 412 when stale."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise PreconditionRequired()
    tags = [tag.strip() for tag in header.split(",")]
    if declaration.etag not in tags:
        raise PreconditionFailed()
    return declaration.row_version


def answer_errors(errors: dict[str, Any]) -> exceptions.ValidationError:
    """Service errors keyed "KEY.field" (or "KEY"), as request paths "answers.KEY.field"."""
    return exceptions.ValidationError(
        {
            f"answers.{key}": [message] if isinstance(message, str) else message
            for key, message in errors.items()
        }
    )


def merge_answer(current: Answer, given: dict[str, Any]) -> AnswerInput:
    """A PATCH changes only the fields it names; the others keep their stored value."""
    data = AnswerInput(
        value=current.value,
        not_applicable=current.not_applicable,
        not_applicable_reason=current.not_applicable_reason,
        evidence_url=current.evidence_url,
        evidence_note=current.evidence_note,
    )
    if "value" in given:
        data.value = given["value"]
        if "not_applicable" not in given and given["value"] is not None:
            data.not_applicable, data.not_applicable_reason = False, ""
    if "not_applicable" in given:
        data.not_applicable = given["not_applicable"]
        if data.not_applicable and "value" not in given:
            data.value = None
        if not data.not_applicable and "not_applicable_reason" not in given:
            data.not_applicable_reason = ""
    for field in ("not_applicable_reason", "evidence_url", "evidence_note"):
        if field in given:
            setattr(data, field, given[field])
    return data


DECLARATION_ID = id_parameter("A declaration's id.")
DECLARATION_COLUMNS = (
    "id",
    "period",
    "revision",
    "revises_id",
    "status",
    "review_status",
    "review_comment",
    "health_review_status",
    "health_review_comment",
    "health_reviewed_at",
    "created_at",
    "submitted_at",
    "reviewed_at",
    "updated_at",
    "row_version",
    "provider__id",
    "provider__name",
    "provider__provider_type",
    "provider__urn",
    "provider__ukprn",
    "provider__area_id",
    "provider__trust_id",
    "provider__icb_id",
    "version__id",
    "version__version",
    "version__standard__id",
    "version__standard__slug",
)


@extend_schema(tags=["declarations"])
@extend_schema_view(
    list=list_schema(
        serializers.DeclarationSerializer(many=True),
        filters.DeclarationParams,
        "List declarations you can see",
    ),
    retrieve=read_schema(
        serializers.DeclarationDetailSerializer,
        "Read a declaration with its answers",
        DECLARATION_ID,
        ETAG_HEADER,
    ),
    create=extend_schema(
        summary="Start a draft declaration for a provider you edit",
        description="Returns the provider's open draft for the version and period if there is "
        "one (200), or the submitted declaration if it has already declared (200: start a "
        "revision to change it); otherwise creates the draft (201), copying answers from its "
        "latest declaration.",
        request=serializers.DeclarationCreateSerializer,
        parameters=[ETAG_HEADER, LOCATION, RETRY_AFTER],
        responses=merged(
            {
                200: serializers.DeclarationDetailSerializer,
                201: serializers.DeclarationDetailSerializer,
            },
            errors(*[c for c in WRITE_ERRORS if c not in (404, 409)]),
        ),
    ),
    partial_update=extend_schema(
        summary="Change many answers at once",
        description="All or nothing: if any answer is refused, none is saved and each problem is "
        "named in errors as answers.KEY.field.",
        request=serializers.DeclarationPatchSerializer,
        parameters=[DECLARATION_ID, IF_MATCH, ETAG_HEADER, RETRY_AFTER],
        responses=merged(
            {200: serializers.DeclarationDetailSerializer}, errors(*WRITE_ERRORS, 412, 428)
        ),
    ),
    submit=extend_schema(
        summary="Submit a complete draft",
        description="Scoring is queued once the submission is saved. An incomplete draft is "
        "refused (400) with every missing or refused answer named in errors.",
        request=serializers.SubmitSerializer,
        parameters=[DECLARATION_ID, IF_MATCH, ETAG_HEADER, RETRY_AFTER],
        responses=merged(
            {200: serializers.DeclarationDetailSerializer}, errors(*WRITE_ERRORS, 412, 428)
        ),
    ),
    revise=extend_schema(
        summary="Start a revision of a submitted declaration",
        description="Returns the draft revision, creating it (201) from the submitted answers "
        "if there is none yet (200 when it exists, or when this declaration is itself a draft).",
        request=serializers.SubmitSerializer,
        parameters=[DECLARATION_ID, ETAG_HEADER, LOCATION, RETRY_AFTER],
        responses=merged(
            {
                200: serializers.DeclarationDetailSerializer,
                201: serializers.DeclarationDetailSerializer,
            },
            errors(*[c for c in WRITE_ERRORS if c != 409]),
        ),
    ),
)
class DeclarationViewSet(ApiViewSet):
    serializer_class = serializers.DeclarationSerializer
    params_class = filters.DeclarationParams
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Declaration]:
        return audit_selectors.visible_declarations(user=self.request.user)

    def declaration(self, pk: str) -> Declaration:
        declaration = self.get_queryset().filter(pk=parse_id(pk)).first()
        if declaration is None:
            raise exceptions.NotFound()
        return declaration

    def editable(self, pk: str) -> Declaration:
        """404 when the person cannot see it, 403 when they can see but not edit it."""
        declaration = self.declaration(pk)
        if (
            not audit_selectors.editable_declarations(user=self.request.user)
            .filter(pk=declaration.pk)
            .exists()
        ):
            raise exceptions.PermissionDenied(
                "You can read this declaration but not change it: only the provider's editors can."
            )
        return declaration

    def detail_response(self, declaration: Declaration, code: int = 200) -> Response:
        declaration = self.declaration(str(declaration.pk))
        response = Response(declaration_data(self.request, declaration), status=code)
        if code == status.HTTP_201_CREATED:
            response["Location"] = f"/api/v1/declarations/{declaration.pk}/"
        return with_etag(response, declaration)

    def list(self, request: Request) -> Response:
        return self.listed(
            self.get_queryset().select_related("provider", "version__standard"),
            serializers.DeclarationSerializer,
        )

    def retrieve(self, request: Request, pk: str) -> Response:
        # The hot path: only the columns the answer needs (the scope is still the selector's).
        declaration = self.get_queryset().only(*DECLARATION_COLUMNS).filter(pk=parse_id(pk)).first()
        if declaration is None:
            raise exceptions.NotFound()
        return with_etag(Response(declaration_data(request, declaration)), declaration)

    def create(self, request: Request) -> Response:
        body = serializers.DeclarationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        provider = (
            visibility.visible_providers(user=request.user).filter(pk=data["provider"]).first()
        )
        if provider is None:
            raise exceptions.ValidationError(
                {"provider": ["There is no provider with this id that you can see"]}
            )
        version = None
        if "version" in data:
            version = (
                standard_selectors.visible_versions(user=request.user)
                .filter(pk=data["version"])
                .first()
            )
            if version is None:
                raise exceptions.ValidationError(
                    {"version": ["There is no standard version with this id"]}
                )
            if version.status != VersionStatus.PUBLISHED:
                raise exceptions.ValidationError(
                    {
                        "version": [
                            "Choose the published version of a standard: this one is "
                            + version.status
                        ]
                    }
                )
        try:
            result = audit_services.start_declaration(
                provider=provider, user=request.user, version=version, period=data.get("period")
            )
        except ValidationError as exc:
            # The period rule names its field; the other refusals are about the whole request.
            by_field = exc.message_dict if hasattr(exc, "error_dict") else None
            raise exceptions.ValidationError(
                by_field or {"non_field_errors": exc.messages}
            ) from exc
        return self.detail_response(
            result.declaration, status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )

    def partial_update(self, request: Request, pk: str) -> Response:
        declaration = self.editable(pk)
        expected = expected_version(request, declaration)
        if not declaration.is_draft:
            raise Conflict("The declaration has been submitted: start a revision to change it.")
        body = serializers.DeclarationPatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        given: dict[str, dict[str, Any]] = body.validated_data["answers"]
        current = {
            a.requirement_key: a
            for a in Answer.objects.filter(declaration=declaration).only(*ANSWER_FIELDS)
        }
        unknown = [key for key in given if key not in current]
        if unknown:
            raise answer_errors(
                {key: "No requirement with this key applies to this declaration" for key in unknown}
            )
        inputs = {key: merge_answer(current[key], fields) for key, fields in given.items()}
        try:
            audit_services.save_answers(
                declaration=declaration,
                answers=inputs,
                user=request.user,
                expected_declaration_version=expected,
            )
        except audit_services.StaleDeclaration as exc:
            raise PreconditionFailed() from exc
        except AnswerErrors as exc:
            raise answer_errors(exc.errors) from exc
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        return self.detail_response(declaration)

    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        declaration = self.editable(pk)
        expected = expected_version(request, declaration)
        if not declaration.is_draft:
            raise Conflict("The declaration has already been submitted.")
        serializers.SubmitSerializer(data=request.data or {}).is_valid(raise_exception=True)
        try:
            declaration = audit_services.submit_declaration(
                declaration=declaration, user=request.user, expected_row_version=expected
            )
        except audit_services.StaleDeclaration as exc:
            raise PreconditionFailed() from exc
        except audit_services.IncompleteDeclaration as exc:
            flat = {
                f"{key}.{field}": message
                for key, fields in exc.errors.items()
                for field, message in fields.items()
            }
            error = answer_errors(flat)
            error.detail = {
                "non_field_errors": [
                    f"{len(exc.missing)} answers are missing or would be refused: "
                    "complete them, then submit again."
                ],
                **error.detail,  # type: ignore[dict-item]
            }
            raise error from exc
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        return self.detail_response(declaration)

    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str) -> Response:
        declaration = self.editable(pk)
        serializers.SubmitSerializer(data=request.data or {}).is_valid(raise_exception=True)
        had_draft = (
            self.get_queryset()
            .filter(
                provider_id=declaration.provider_id,
                version_id=declaration.version_id,
                period=declaration.period,
                status="draft",
            )
            .exists()
        )
        revision = audit_services.start_revision(declaration=declaration, user=request.user)
        created = not had_draft
        return self.detail_response(
            revision, status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
