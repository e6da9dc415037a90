"""What the API accepts to start a declaration, change its answers, submit and review it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.serializers.base import StrictSerializer
from api.serializers.declarations import ANSWER_VALUE_SCHEMA
from audits.periods import is_valid_period
from audits.services import MAX_CHALLENGE
from providers.models import Provider
from providers.visibility import visible_providers
from standards.models import StandardVersion
from standards.selectors import visible_versions

MAX_ANSWERS_PER_REQUEST = 500
MAX_TEXT = 10_000
MAX_LIST = 100

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


class DeclarationCreateSerializer(StrictSerializer):
    provider = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text="The id of a provider whose declarations you edit.",
    )
    period = serializers.CharField(
        required=False,
        max_length=7,
        help_text="Academic year, e.g. 2026/27: the current one, the next one, or that of a "
        "declaration round opened for the provider's area. Default: that of the area's open "
        "round, else the current one.",
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="The id of a standard version: the published one, or the one the provider's "
        "declaration for the period was begun on, even if it has since been superseded. "
        "Default: as the self-audit page offers (see above).",
    )

    def validate_provider(self, value: int) -> Provider:
        provider = visible_providers(user=self.context["user"]).filter(pk=value).first()
        if provider is None:
            raise serializers.ValidationError("There is no provider with this id that you can see")
        return provider

    def validate_version(self, value: int) -> StandardVersion:
        version = visible_versions(user=self.context["user"]).filter(pk=value).first()
        if version is None:
            raise serializers.ValidationError("There is no standard version with this id")
        return version

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


@extend_schema_serializer(component_name="DeclarationReview")
class ReviewSerializer(StrictSerializer):
    """A review: accept the declaration, or return it with a comment on each challenged answer."""

    decision = serializers.ChoiceField(
        choices=[("accept", "Accept the declaration"), ("return", "Return it with comments")]
    )
    challenges = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=MAX_CHALLENGE),
        required=False,
        help_text="Requirement key: what the provider needs to change or show. Only with "
        "decision “return”, and only for answers you review.",
    )
    comment = serializers.CharField(
        allow_blank=True,
        required=False,
        max_length=MAX_CHALLENGE,
        help_text="A comment on the whole declaration (an ICB officer's: on its health answers).",
    )

    def validate_challenges(self, value: dict[str, str]) -> dict[str, str]:
        if len(value) > MAX_ANSWERS_PER_REQUEST:
            raise serializers.ValidationError(
                f"Challenge at most {MAX_ANSWERS_PER_REQUEST} answers at once."
            )
        return value
