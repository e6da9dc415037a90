"""Areas and providers."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.base import RowSerializer
from providers.models import Area, Phase, Provider, ProviderStatus
from standards.vocabulary import ProviderType


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


class ProviderRefSerializer(RowSerializer, serializers.ModelSerializer):
    """A provider, by its id, name and references."""

    provider_type = serializers.ChoiceField(choices=ProviderType.choices)

    class Meta:
        model = Provider
        fields = ["id", "name", "provider_type", "urn", "ukprn"]
