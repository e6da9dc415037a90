"""Gaps for tests, written straight to the table; give each its `standard`."""

import factory

from scoring.models import Gap
from tests.providers.factories import ProviderFactory


class GapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Gap

    provider = factory.SubFactory(ProviderFactory)
    requirement_key = factory.Sequence(lambda n: f"SCH-GAP-{n}")
    title = factory.Sequence(lambda n: f"Requirement {n}")
    strength = "must"
    theme = "governance"
