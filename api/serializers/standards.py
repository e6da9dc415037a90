"""Standards, their versions and requirements."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.base import RowSerializer
from standards.models import Requirement, Standard, StandardVersion, VersionStatus
from standards.rules import describe_rule
from standards.vocabulary import AnswerType, ProviderType, Strength, Theme


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
        lookup = self.context.get("lookup", {})
        return describe_rule(
            requirement.rule,
            {"type": requirement.answer_type, **requirement.answer_options},
            lookup.get,
        )


class VersionRefSerializer(RowSerializer, serializers.ModelSerializer):
    """A standard version, by its id, standard and label."""

    standard = serializers.CharField(source="standard.slug")

    class Meta:
        model = StandardVersion
        fields = ["id", "standard", "version"]


class LocalVersionRefSerializer(VersionRefSerializer):
    """An area's local standard version, by its id, standard, label and content hash."""

    content_hash = serializers.CharField(
        help_text="The SHA-256 of the local version's canonical export."
    )

    class Meta(VersionRefSerializer.Meta):
        fields = [*VersionRefSerializer.Meta.fields, "content_hash"]
