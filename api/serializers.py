"""What the API reads and writes. Output is built by hand where it is hot (answers); the
serializer classes still describe it, so the OpenAPI schema is exact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.errors import TITLES
from audits.models import (
    FIELD_FOR_TYPE,
    VALUE_FIELDS,
    Declaration,
    DeclarationStatus,
    Reviewer,
    ReviewStatus,
)
from audits.periods import is_valid_period
from providers.models import Area, Phase, Provider, ProviderStatus
from standards.models import Requirement, Standard, StandardVersion, VersionStatus
from standards.vocabulary import AnswerType, ProviderType, Strength, Theme

MAX_ANSWERS_PER_REQUEST = 500
MAX_TEXT = 10_000
MAX_LIST = 100


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, instead of silently ignoring them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(str(k) for k in data if k not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {k: ["This field is not known. Check its spelling."] for k in unknown}
                )
        return super().to_internal_value(data)


# ---- errors -----------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """Every 4xx answer has this shape."""

    status = serializers.IntegerField(help_text="The HTTP status code.")
    title = serializers.CharField(help_text="A short summary of the kind of problem.")
    detail = serializers.CharField(help_text="What went wrong, and what to do about it.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages for each bad field, by its path in the request, e.g. "
        '"answers.SCH-SENCO-NAMED.value" or "period"; problems with the request as a whole '
        "under non_field_errors. Empty for a body that is not valid JSON and for every status "
        "other than 400.",
    )


ERROR_DESCRIPTIONS = {
    400: "Invalid input: each bad field is named in `errors`.",
    401: "No token, or the token is unknown, expired or revoked.",
    403: "Signed in, but not allowed to do this (for example, read-only access to the provider).",
    404: "Nothing at this address that you can see.",
    405: "The endpoint does not accept this method.",
    406: "The endpoint cannot answer in the media type asked for in Accept.",
    409: "The declaration is not a draft (it has been submitted).",
    412: "If-Match does not name the declaration's current ETag: someone changed it since you read it.",
    413: "The body is larger than 2.5 MB.",
    415: "The body must be JSON (Content-Type: application/json).",
    428: "If-Match is missing: send the ETag from your last GET.",
    429: "Too many requests for this token: wait for the number of seconds in Retry-After.",
}
assert set(ERROR_DESCRIPTIONS) <= set(TITLES)


# ---- standards --------------------------------------------------------------------------------


class VersionSummarySerializer(serializers.ModelSerializer):
    standard = serializers.CharField(source="standard.slug", help_text="The standard's slug.")
    status = serializers.ChoiceField(choices=VersionStatus.choices)

    class Meta:
        model = StandardVersion
        fields = ["id", "standard", "version", "title", "status", "effective_from", "published_at"]


class StandardSerializer(serializers.ModelSerializer):
    versions = serializers.SerializerMethodField(
        help_text="The versions you can see, newest first."
    )

    class Meta:
        model = Standard
        fields = ["slug", "title", "owner", "versions"]

    @extend_schema_field(VersionSummarySerializer(many=True))
    def get_versions(self, standard: Standard) -> list[dict[str, Any]]:
        versions = getattr(standard, "visible_versions", [])
        return VersionSummarySerializer(versions, many=True).data  # type: ignore[return-value]


class SectionSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    order = serializers.IntegerField()
    weight = serializers.FloatField()


class VersionSerializer(VersionSummarySerializer):
    supersedes = serializers.IntegerField(
        source="supersedes_id", allow_null=True, help_text="The id of the version it replaced."
    )
    sections = SectionSerializer(many=True, source="sections.all")

    class Meta(VersionSummarySerializer.Meta):
        fields = [
            *VersionSummarySerializer.Meta.fields,
            "owner",
            "grace_period_days",
            "change_notes",
            "content_hash",
            "supersedes",
            "sections",
        ]


class CitationSerializer(serializers.Serializer):
    document = serializers.CharField()
    reference = serializers.CharField()
    url = serializers.CharField(required=False)


class RequirementSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.code", help_text="The section's code.")
    theme = serializers.ChoiceField(choices=Theme.choices)
    strength = serializers.ChoiceField(choices=Strength.choices)
    answer_type = serializers.ChoiceField(choices=AnswerType.choices)
    applies_to = serializers.ListField(
        child=serializers.ChoiceField(choices=ProviderType.choices),
        help_text="The provider types that answer this requirement.",
    )
    answer_options = serializers.DictField(
        help_text="min, max, unit, integer, max_length, and choices ([{value, label}]) as they apply."
    )
    rule = serializers.DictField(
        help_text="The rule, in the vocabulary of docs/standard-format.md."
    )
    rule_text = serializers.SerializerMethodField(help_text="The rule in plain English.")
    citations = CitationSerializer(many=True)

    class Meta:
        model = Requirement
        fields = [
            "key",
            "section",
            "order",
            "title",
            "question",
            "guidance",
            "theme",
            "applies_to",
            "strength",
            "weight",
            "answer_type",
            "answer_options",
            "rule",
            "rule_text",
            "allow_not_applicable",
            "evidence_prompt",
            "evidence_required",
            "citations",
            "effective_from",
            "effective_to",
        ]

    def get_rule_text(self, requirement: Requirement) -> str:
        from standards.rules import describe_rule

        lookup = self.context.get("lookup", {})
        return describe_rule(
            requirement.rule,
            {"type": requirement.answer_type, **requirement.answer_options},
            lookup.get,
        )


# ---- areas and providers ----------------------------------------------------------------------


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["code", "gss_code", "name", "region_code", "region_name"]


class NamedCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ProviderSerializer(serializers.ModelSerializer):
    provider_type = serializers.ChoiceField(choices=ProviderType.choices)
    phase = serializers.ChoiceField(choices=Phase.choices)
    status = serializers.ChoiceField(choices=ProviderStatus.choices)
    area = NamedCodeSerializer(allow_null=True, help_text="The local authority area it is in.")
    icb = NamedCodeSerializer(allow_null=True, help_text="For an ICB provider, the ICB it is.")
    trust = NamedCodeSerializer(allow_null=True)

    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "provider_type",
            "urn",
            "ukprn",
            "la_code",
            "icb_code",
            "area",
            "icb",
            "trust",
            "phase",
            "status",
            "establishment_type",
            "street",
            "locality",
            "town",
            "postcode",
            "website",
            "opened_on",
            "closed_on",
        ]


class ProviderRefSerializer(serializers.ModelSerializer):
    provider_type = serializers.ChoiceField(choices=ProviderType.choices)

    class Meta:
        model = Provider
        fields = ["id", "name", "provider_type", "urn", "ukprn"]


# ---- declarations and answers -----------------------------------------------------------------

ANSWER_VALUE_SCHEMA = {
    "nullable": True,
    "description": "The typed answer: true/false (yes_no); a number, as a string such as "
    '"12.5" (number); an ISO date "2026-09-01" (date); a choice value (single_choice); a list of '
    "choice values (multiple_choice); an https:// address (url); text (text). null: not answered.",
    "oneOf": [
        {"type": "boolean"},
        {"type": "string"},
        {"type": "array", "items": {"type": "string"}},
    ],
}
ANSWER_VALUE_INPUT_SCHEMA = {
    **ANSWER_VALUE_SCHEMA,
    "description": "true/false; a number or a numeric string; an ISO date; a choice value; a "
    "list of choice values; an https:// address; text. null clears the answer.",
    "oneOf": [
        {"type": "boolean"},
        {"type": "number"},
        {"type": "string"},
        {"type": "array", "items": {"type": "string"}},
    ],
}


@extend_schema_field(ANSWER_VALUE_SCHEMA)
class AnswerValueField(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return answer_value(value)


def answer_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _bad_string(text: str) -> str | None:
    if "\x00" in text:
        return "Text must not contain the null character"
    if any("\ud800" <= c <= "\udfff" for c in text):
        return "Text must not contain unpaired surrogate characters"
    if len(text) > MAX_TEXT:
        return f"Text must be {MAX_TEXT} characters or fewer"
    return None


@extend_schema_field(ANSWER_VALUE_INPUT_SCHEMA)
class AnswerValueInputField(serializers.Field):
    default_error_messages = {
        "type": "Give the value as true or false, a number, a string or a list of strings",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool | int | float):
            return data
        if isinstance(data, str):
            problem = _bad_string(data)
            if problem:
                raise serializers.ValidationError(problem)
            return data
        if isinstance(data, list):
            if len(data) > MAX_LIST:
                raise serializers.ValidationError(f"Give {MAX_LIST} values or fewer")
            if not all(isinstance(v, str) for v in data):
                self.fail("type")
            for item in data:
                problem = _bad_string(item)
                if problem:
                    raise serializers.ValidationError(problem)
            return data
        self.fail("type")


class AnswerSerializer(serializers.Serializer):
    """One answer. Built by `answer_data` on the hot path; this class describes it."""

    requirement_key = serializers.CharField()
    answer_type = serializers.ChoiceField(choices=AnswerType.choices)
    value = AnswerValueField(allow_null=True)
    not_applicable = serializers.BooleanField()
    not_applicable_reason = serializers.CharField()
    evidence_url = serializers.CharField()
    evidence_note = serializers.CharField()
    needs_attention = serializers.BooleanField(
        help_text="Carried over from an earlier declaration and worth checking."
    )
    attention_reason = serializers.CharField()
    review_state = serializers.ChoiceField(
        choices=[
            ("self_declared", "Self-declared"),
            ("accepted", "Accepted"),
            ("challenged", "Challenged"),
        ]
    )
    review_comment = serializers.CharField()
    reviewed_as = serializers.ChoiceField(
        choices=[("", "Not reviewed"), *Reviewer.choices],
        help_text="Who accepted or challenged the answer: the local authority (area) or the "
        "integrated care board (icb); empty while self-declared.",
    )
    updated_at = serializers.DateTimeField()

    def to_representation(self, answer: Any) -> dict[str, Any]:
        return answer_data(answer)


def iso_time(value: dt.datetime | None) -> str | None:
    """As DRF's DateTimeField writes it: in the current time zone, "Z" for UTC."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# The columns an answer is read from: the API reads answers as values, not model instances.
ANSWER_COLUMNS = (
    "requirement_key",
    "answer_type",
    *VALUE_FIELDS,
    "not_applicable",
    "not_applicable_reason",
    "evidence_url",
    "evidence_note",
    "needs_attention",
    "attention_reason",
    "review_state",
    "review_comment",
    "reviewed_as",
    "updated_at",
)


def answer_row_value(row: dict[str, Any]) -> Any:
    """The typed value of an answer row, as `Answer.value` gives it, in its JSON form."""
    raw = row[FIELD_FOR_TYPE[row["answer_type"]]]
    return None if raw == "" else answer_value(raw)


def answer_data(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "requirement_key": row["requirement_key"],
        "answer_type": row["answer_type"],
        "value": answer_row_value(row),
        "not_applicable": row["not_applicable"],
        "not_applicable_reason": row["not_applicable_reason"],
        "evidence_url": row["evidence_url"],
        "evidence_note": row["evidence_note"],
        "needs_attention": row["needs_attention"],
        "attention_reason": row["attention_reason"],
        "review_state": row["review_state"],
        "review_comment": row["review_comment"],
        "reviewed_as": row["reviewed_as"],
        "updated_at": iso_time(row["updated_at"]),
    }


def declaration_summary(declaration: Declaration) -> dict[str, Any]:
    """DeclarationSerializer's output, built by hand: it is read on every declaration GET."""
    provider = declaration.provider
    version = declaration.version
    return {
        "id": declaration.pk,
        "provider": {
            "id": provider.pk,
            "name": provider.name,
            "provider_type": provider.provider_type,
            "urn": provider.urn,
            "ukprn": provider.ukprn,
        },
        "version": {
            "id": version.pk,
            "standard": version.standard.slug,
            "version": version.version,
        },
        "period": declaration.period,
        "revision": declaration.revision,
        "revises": declaration.revises_id,
        "status": declaration.status,
        "review_status": declaration.review_status,
        "health_review_status": declaration.health_review_status,
        "created_at": iso_time(declaration.created_at),
        "submitted_at": iso_time(declaration.submitted_at),
        "reviewed_at": iso_time(declaration.reviewed_at),
        "health_reviewed_at": iso_time(declaration.health_reviewed_at),
        "updated_at": iso_time(declaration.updated_at),
        "etag": declaration.etag,
    }


class VersionRefSerializer(serializers.ModelSerializer):
    standard = serializers.CharField(source="standard.slug")

    class Meta:
        model = StandardVersion
        fields = ["id", "standard", "version"]


class DeclarationSerializer(serializers.ModelSerializer):
    provider = ProviderRefSerializer()
    version = VersionRefSerializer()
    status = serializers.ChoiceField(choices=DeclarationStatus.choices)
    review_status = serializers.ChoiceField(
        choices=ReviewStatus.choices, help_text="The local authority's review."
    )
    health_review_status = serializers.ChoiceField(
        choices=ReviewStatus.choices,
        help_text="An integrated care board's review of the health answers, kept apart.",
    )
    revises = serializers.IntegerField(
        source="revises_id", allow_null=True, help_text="The id of the revision this one replaces."
    )
    etag = serializers.CharField(help_text="The value to send in If-Match to change it.")

    class Meta:
        model = Declaration
        fields = [
            "id",
            "provider",
            "version",
            "period",
            "revision",
            "revises",
            "status",
            "review_status",
            "health_review_status",
            "created_at",
            "submitted_at",
            "reviewed_at",
            "health_reviewed_at",
            "updated_at",
            "etag",
        ]

    def to_representation(self, declaration: Declaration) -> dict[str, Any]:
        return declaration_summary(declaration)


class DeclarationDetailSerializer(DeclarationSerializer):
    review_comment = serializers.CharField()
    health_review_comment = serializers.CharField()
    answers_scope = serializers.ChoiceField(
        choices=[("all", "All answers"), ("health", "Health requirements only")],
        help_text="“health” when you see this provider as an ICB officer: only the health "
        "requirements' answers are shown.",
    )
    answered = serializers.IntegerField(help_text="Answers given, or marked not applicable.")
    total = serializers.IntegerField(help_text="Answers shown.")
    answers = AnswerSerializer(many=True)

    class Meta(DeclarationSerializer.Meta):
        fields = [
            *DeclarationSerializer.Meta.fields,
            "review_comment",
            "health_review_comment",
            "answers_scope",
            "answered",
            "total",
            "answers",
        ]


class DeclarationCreateSerializer(StrictSerializer):
    provider = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text="The id of a provider whose declarations you edit.",
    )
    period = serializers.CharField(
        required=False,
        max_length=7,
        help_text="Academic year, e.g. 2026/27: the current one (the default), the next one, or "
        "that of a declaration round opened for the provider's area.",
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="The id of a published standard version. Default: the current statutory baseline.",
    )

    def validate_period(self, value: str) -> str:
        if not is_valid_period(value):
            raise serializers.ValidationError("Enter an academic year, like 2026/27")
        return value


class AnswerInputSerializer(StrictSerializer):
    value = AnswerValueInputField()
    not_applicable = serializers.BooleanField(required=False)
    not_applicable_reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    evidence_url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    evidence_note = serializers.CharField(required=False, allow_blank=True, max_length=1000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("not_applicable") and attrs.get("value") is not None:
            raise serializers.ValidationError(
                {"value": ["Leave out the value (or send null) when not_applicable is true"]}
            )
        return attrs


ANSWER_INPUT_PROPERTIES: dict[str, Any] = {
    "value": ANSWER_VALUE_INPUT_SCHEMA,
    "not_applicable": {
        "type": "boolean",
        "description": "true: the requirement does not apply (give not_applicable_reason).",
    },
    "not_applicable_reason": {"type": "string", "maxLength": 1000},
    "evidence_url": {"type": "string", "maxLength": 500, "description": "An https:// address."},
    "evidence_note": {"type": "string", "maxLength": 1000},
}
ANSWERS_INPUT_SCHEMA = {
    "description": "The answers to change: a list of answers, each with its requirement_key, or "
    "an object keyed by requirement key. Fields left out keep their current value; a value "
    "given without not_applicable also sets not_applicable to false.",
    "oneOf": [
        {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_ANSWERS_PER_REQUEST,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["requirement_key"],
                "properties": {
                    "requirement_key": {"type": "string", "minLength": 1, "maxLength": 80},
                    **ANSWER_INPUT_PROPERTIES,
                },
            },
        },
        {
            "type": "object",
            "minProperties": 1,
            "maxProperties": MAX_ANSWERS_PER_REQUEST,
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "properties": ANSWER_INPUT_PROPERTIES,
            },
        },
    ],
}


@extend_schema_field(ANSWERS_INPUT_SCHEMA)
class AnswersField(serializers.Field):
    default_error_messages = {
        "type": "Give the answers as a list of answers or an object keyed by requirement key",
        "empty": "Give at least one answer",
        "too_many": f"Give {MAX_ANSWERS_PER_REQUEST} answers or fewer in one request",
    }

    def to_internal_value(self, data: Any) -> dict[str, dict[str, Any]]:
        if isinstance(data, dict):
            items = list(data.items())
            labels = [str(k) for k, _ in items]
        elif isinstance(data, list):
            items = []
            labels = []
            errors: dict[str, Any] = {}
            for index, item in enumerate(data):
                if not isinstance(item, dict):
                    errors[str(index)] = ["Each answer must be an object"]
                    continue
                key = item.get("requirement_key")
                if not isinstance(key, str) or not key:
                    errors[f"{index}.requirement_key"] = ["Give the requirement key"]
                    continue
                items.append((key, {k: v for k, v in item.items() if k != "requirement_key"}))
                labels.append(key)
            if errors:
                raise serializers.ValidationError(errors)
        else:
            self.fail("type")
        if not items:
            self.fail("empty")
        if len(items) > MAX_ANSWERS_PER_REQUEST:
            self.fail("too_many")
        out: dict[str, dict[str, Any]] = {}
        errors = {}
        for label, (key, body) in zip(labels, items, strict=True):
            problem = (
                _bad_string(key)
                if len(key) <= 80
                else "Requirement keys are 80 characters or fewer"
            )
            if problem:
                errors[label[:80]] = [problem]
                continue
            if key in out:
                errors[key] = ["This requirement is given more than once"]
                continue
            if not isinstance(body, dict):
                errors[key] = ["Each answer must be an object"]
                continue
            serializer = AnswerInputSerializer(data=body)
            if not serializer.is_valid():
                errors[key] = serializer.errors
                continue
            out[key] = dict(serializer.validated_data)
        if errors:
            raise serializers.ValidationError(errors)
        return out

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_serializer(component_name="DeclarationPatch")
class DeclarationPatchSerializer(StrictSerializer):
    answers = AnswersField()


class SubmitSerializer(StrictSerializer):
    """Submitting takes no body (an empty object is accepted)."""
