"""Gaps: what a provider has still to meet, its plan, and its history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.base import StrictSerializer
from scoring import services as scoring_services
from scoring.forms import ACTIVE_GAP_STATUS_CHOICES
from scoring.models import Gap, GapStatus


def gap_etag(gap: Gap) -> str:
    return f'"gap-{gap.pk}-{gap.row_version}"'


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
        choices=ACTIVE_GAP_STATUS_CHOICES,
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
