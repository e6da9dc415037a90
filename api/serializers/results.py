"""A provider's scoring result: each requirement's outcome and why."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.serializers.base import StrictSerializer
from api.serializers.providers import ProviderRefSerializer
from api.serializers.standards import VersionRefSerializer
from scoring import selectors as scoring_selectors
from scoring.engine import Outcome
from scoring.models import Trigger

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


# A result lists every requirement of the standard (a hundred and more), so its sections are
# written out here, field by field as SectionResultSerializer and RequirementResultSerializer
# (which describe them in the schema) would write them, without their cost per field; a test
# holds the two equal.


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def requirement_data(row: scoring_selectors.RequirementRow) -> dict[str, Any]:
    part = row.contribution
    return {
        "key": str(row.key),
        "title": str(row.title),
        "strength": str(row.strength),
        "theme": str(row.theme),
        "outcome": row.outcome.value,
        "answer": str(row.answer),
        "rule": str(row.rule),
        "why": str(row.why),
        "scored": bool(part.scored),
        "points_available": _float(part.overall_points),
        "points_earned": _float(part.earned_overall_points),
    }


def section_data(section: scoring_selectors.SectionRow) -> dict[str, Any]:
    return {
        "code": str(section.code),
        "title": str(section.title),
        "weight": float(section.weight),
        "score": _float(section.score),
        "count": None if section.count is None else int(section.count),
        "requirements": [requirement_data(row) for row in section.requirements],
    }


def result_data(result: scoring_selectors.Result) -> dict[str, Any]:
    latest = result.latest_declaration
    if latest is None:
        state = "none"
    elif result.pending or result.run is None or result.run.declaration_id != latest.pk:
        state = "pending"
    else:
        state = "ready"
    run = result.run
    sections = [section_data(s) for s in result.sections]
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


class ResultParams(StrictSerializer):
    standard = serializers.SlugField(required=False, max_length=100)
    version = serializers.CharField(required=False, max_length=20)
