"""Declarations: list and read them; start one, change its answers, submit it, revise it,
review it.

Each write parses its input, calls the audits service the self-audit pages call, and writes
the declaration back; the services' refusals become HTTP answers in api.errors.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import PreconditionFailed, PreconditionRequired
from api.schema import (
    ETAG_HEADER,
    IF_MATCH,
    LOCATION,
    RETRY_AFTER,
    WRITE_ERRORS,
    errors,
    id_parameter,
    merged,
)
from api.serializers.declaration_input import (
    DeclarationCreateSerializer,
    DeclarationPatchSerializer,
    ReviewSerializer,
    SubmitSerializer,
)
from api.serializers.declarations import (
    ANSWER_COLUMNS,
    DeclarationDetailSerializer,
    DeclarationSerializer,
    DeclarationView,
)
from api.views.base import ApiViewSet, acting_user, list_schema, parse_id, read_schema
from audits import selectors as audit_selectors
from audits import services as audit_services
from audits.filters import DeclarationFilter
from audits.models import Declaration, Reviewer
from providers import visibility

DECLARATION_ID = id_parameter("A declaration's id.")
# The columns a declaration is read with on the hot path: those DeclarationSerializer writes.
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
    "local_version__id",
    "local_version__version",
    "local_version__content_hash",
    "local_version__standard__id",
    "local_version__standard__slug",
)


def detail(request: Request, declaration: Declaration, code: int = 200) -> Response:
    """The declaration with the answers its reader may see (one query for the answers, read
    as values), and its ETag."""
    answers = list(
        audit_selectors.declaration_answers(user=request.user, declaration=declaration)
        .select_related(None)
        .values(*ANSWER_COLUMNS)
    )
    health_only = visibility.health_only(user=request.user, provider=declaration.provider)
    if health_only:
        # A health-only reader gets none of the area's review comments, on answers either.
        for answer in answers:
            if answer.get("reviewed_as") == Reviewer.AREA:
                answer["review_comment"] = ""
    view = DeclarationView(declaration=declaration, answers=answers, health_only=health_only)
    response = Response(DeclarationDetailSerializer(view).data, status=code)
    response["ETag"] = declaration.etag
    if code == status.HTTP_201_CREATED:
        response["Location"] = f"/api/v1/declarations/{declaration.pk}/"
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


@extend_schema(tags=["declarations"])
@extend_schema_view(
    list=list_schema(
        DeclarationSerializer(many=True),
        DeclarationFilter,
        "List declarations you can see",
    ),
    retrieve=read_schema(
        DeclarationDetailSerializer,
        "Read a declaration with its answers",
        DECLARATION_ID,
        ETAG_HEADER,
    ),
    create=extend_schema(
        summary="Start a draft declaration for a provider you edit",
        description="Without version and period, declares what the provider's self-audit page "
        "offers: the standard and year of its area's open round, else the statutory baseline "
        "this year, against the version of a declaration already begun for them (even if that "
        "version has since been superseded), else the published version. Returns the "
        "provider's open draft for the version and period if there is one (200), or the "
        "submitted declaration if it has already declared (200: start a revision to change "
        "it); otherwise creates the draft (201), copying answers from its latest declaration. "
        "Refused (400) when none of the standard's requirements apply to the provider.",
        request=DeclarationCreateSerializer,
        parameters=[ETAG_HEADER, LOCATION, RETRY_AFTER],
        responses=merged(
            {
                200: DeclarationDetailSerializer,
                201: DeclarationDetailSerializer,
            },
            errors(*[c for c in WRITE_ERRORS if c not in (404, 409)]),
        ),
    ),
    partial_update=extend_schema(
        summary="Change many answers at once",
        description="All or nothing: if any answer is refused, none is saved and each problem is "
        "named in errors as answers.KEY.field.",
        request=DeclarationPatchSerializer,
        parameters=[DECLARATION_ID, IF_MATCH, ETAG_HEADER, RETRY_AFTER],
        responses=merged({200: DeclarationDetailSerializer}, errors(*WRITE_ERRORS, 412, 428)),
    ),
    submit=extend_schema(
        summary="Submit a complete draft",
        description="Scoring is queued once the submission is saved. An incomplete draft is "
        "refused (400) with every missing or refused answer named in errors.",
        request=SubmitSerializer,
        parameters=[DECLARATION_ID, IF_MATCH, ETAG_HEADER, RETRY_AFTER],
        responses=merged({200: DeclarationDetailSerializer}, errors(*WRITE_ERRORS, 412, 428)),
    ),
    review=extend_schema(
        summary="Review a submitted declaration",
        description="Accept it, or return it to the provider with a comment on each challenged "
        "answer: the review the declaration's review page makes. An area officer or site admin "
        "reviews the whole declaration; an ICB officer its health answers only. Duties are "
        "kept apart: nobody reviews a declaration they submitted or whose answers they "
        "changed (an authority's own declaration is reviewed by another officer of the area "
        "or a site admin, an ICB's own by another officer of that ICB); they, and anyone who "
        "does not review this provider's declarations, are refused with 403 and the reason in "
        "detail. A draft, or a declaration a later revision has superseded, is refused with "
        "409. Needs If-Match.",
        request=ReviewSerializer,
        parameters=[DECLARATION_ID, IF_MATCH, ETAG_HEADER, RETRY_AFTER],
        responses=merged({200: DeclarationDetailSerializer}, errors(*WRITE_ERRORS, 412, 428)),
    ),
    revise=extend_schema(
        summary="Start a revision of a submitted declaration",
        description="Returns the draft revision, creating it (201) from the submitted answers "
        "if there is none yet (200 when it exists, or when this declaration is itself a draft).",
        request=SubmitSerializer,
        parameters=[DECLARATION_ID, ETAG_HEADER, LOCATION, RETRY_AFTER],
        responses=merged(
            {
                200: DeclarationDetailSerializer,
                201: DeclarationDetailSerializer,
            },
            errors(*[c for c in WRITE_ERRORS if c != 409]),
        ),
    ),
)
class DeclarationViewSet(ApiViewSet):
    serializer_class = DeclarationSerializer
    filterset_class = DeclarationFilter
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Declaration]:
        return Declaration.objects.select_related(
            "provider", "version__standard", "local_version__standard"
        )

    def declaration(self, pk: str) -> Declaration:
        declaration = self.scoped().filter(pk=parse_id(pk)).first()
        if declaration is None:
            raise exceptions.NotFound()
        return declaration

    def editable(self, pk: str) -> Declaration:
        """404 when the person cannot see it, 403 when they can see but not change it."""
        declaration = self.declaration(pk)
        self.check_object_permissions(self.request, declaration)
        return declaration

    def written(self, declaration: Declaration, created: bool = False) -> Response:
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return detail(self.request, self.declaration(str(declaration.pk)), code)

    def list(self, request: Request) -> Response:
        return self.listed(
            self.scoped(),
            DeclarationSerializer,
        )

    def retrieve(self, request: Request, pk: str) -> Response:
        # The hot path: only the columns the answer needs (the scope is still the selector's).
        declaration = self.scoped().only(*DECLARATION_COLUMNS).filter(pk=parse_id(pk)).first()
        if declaration is None:
            raise exceptions.NotFound()
        return detail(request, declaration)

    def create(self, request: Request) -> Response:
        body = DeclarationCreateSerializer(data=request.data, context={"user": request.user})
        body.is_valid(raise_exception=True)
        result = audit_services.start_declaration(
            provider=body.validated_data["provider"],
            user=acting_user(request),
            version=body.validated_data.get("version"),
            period=body.validated_data.get("period"),
        )
        return self.written(result.declaration, created=result.created)

    def partial_update(self, request: Request, pk: str) -> Response:
        declaration = self.editable(pk)
        expected = expected_version(request, declaration)
        body = DeclarationPatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        audit_services.change_answers(
            declaration=declaration,
            changes=body.validated_data["answers"],
            user=acting_user(request),
            expected_declaration_version=expected,
        )
        return self.written(declaration)

    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        declaration = self.editable(pk)
        expected = expected_version(request, declaration)
        SubmitSerializer(data=request.data or {}).is_valid(raise_exception=True)
        declaration = audit_services.submit_declaration(
            declaration=declaration, user=acting_user(request), expected_row_version=expected
        )
        return self.written(declaration)

    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str) -> Response:
        declaration = self.editable(pk)
        SubmitSerializer(data=request.data or {}).is_valid(raise_exception=True)
        result = audit_services.start_revision(declaration=declaration, user=acting_user(request))
        return self.written(result.declaration, created=result.created)

    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        declaration = self.declaration(pk)
        # Who may review comes first: the service's own check, so the page and the API agree.
        audit_services.require_reviewer(user=acting_user(request), declaration=declaration)
        expected_version(request, declaration)
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        audit_services.review_declaration(
            declaration=declaration,
            reviewer=acting_user(request),
            accept=body.validated_data["decision"] == "accept",
            challenges=body.validated_data.get("challenges") or {},
            comment=body.validated_data.get("comment", ""),
        )
        return self.written(declaration)
