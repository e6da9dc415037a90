"""Declarations and their answers, as the API writes them.

The serializer classes are the one description of this JSON: the OpenAPI schema is read from
their fields, and so is the output. Declarations are read on every GET, so each class turns its
fields into a plan once (`RowSerializer`) and writes rows from it, with DRF's keys and formats
but without its per-field work; a test checks the two agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.base import ComputedField, RowSerializer
from api.serializers.providers import ProviderRefSerializer
from api.serializers.standards import LocalVersionRefSerializer, VersionRefSerializer
from audits.models import (
    FIELD_FOR_TYPE,
    VALUE_FIELDS,
    Declaration,
    DeclarationStatus,
    Reviewer,
    ReviewStatus,
)
from standards.vocabulary import AnswerType

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


def answer_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def answer_row_value(row: dict[str, Any]) -> Any:
    """The typed value of an answer row, as `Answer.value` gives it, in its JSON form."""
    raw = row[FIELD_FOR_TYPE[row["answer_type"]]]
    return None if raw == "" else answer_value(raw)


@extend_schema_field(ANSWER_VALUE_SCHEMA)
class AnswerValueField(ComputedField):
    """The typed value, read from the answer row's column for its type."""

    def to_representation(self, row: Any) -> Any:
        return answer_row_value(row)


class AnswerSerializer(RowSerializer):
    """One answer."""

    # Written from a row of Answer values (ANSWER_COLUMNS), not a model instance.

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


# The columns an answer is read from, from the serializer's fields: the value from the column
# of its type.
ANSWER_COLUMNS: tuple[str, ...] = tuple(
    str(column)
    for name in AnswerSerializer().fields
    for column in ((*VALUE_FIELDS,) if name == "value" else (name,))
)


class DeclarationSerializer(RowSerializer, serializers.ModelSerializer):
    """A declaration, without its answers."""

    provider = ProviderRefSerializer()
    version = VersionRefSerializer()
    local_version = LocalVersionRefSerializer(
        allow_null=True,
        help_text="The area's local standard version declared with the national one: its "
        "sections follow the national sections, and are scored apart. null when the provider "
        "declares the national version only (its area has no local standard, or none that "
        "extends this version). Kept for the declaration's life, as `version` is.",
    )
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
            "local_version",
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


@dataclass
class DeclarationView:
    """A declaration with the answers one reader may see, as DeclarationDetailSerializer reads
    it: `answers` are rows of ANSWER_COLUMNS; the rest is read from the declaration."""

    declaration: Declaration
    answers: list[dict[str, Any]]
    health_only: bool

    def __getattr__(self, name: str) -> Any:
        return getattr(self.declaration, name)

    @property
    def review_comment(self) -> str:
        """The area's comment on the whole declaration: not for a health-only reader."""
        return "" if self.health_only else self.declaration.review_comment

    @property
    def answers_scope(self) -> str:
        return "health" if self.health_only else "all"

    @property
    def answered(self) -> int:
        return sum(
            1 for a in self.answers if a["not_applicable"] or answer_row_value(a) is not None
        )

    @property
    def total(self) -> int:
        return len(self.answers)


class DeclarationDetailSerializer(DeclarationSerializer):
    """A declaration with the answers you may see."""

    # Give it a DeclarationView.

    review_comment = serializers.CharField(
        help_text="The local authority's comment on the whole declaration; empty when "
        "answers_scope is “health”."
    )
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
