"""Factories for areas, ICBs, trusts and providers. Each works on its own (unique codes)."""

import factory

from providers.models import (
    Area,
    AreaCodeAlias,
    IcbAreaCoverage,
    IntegratedCareBoard,
    Phase,
    Provider,
    ProviderLink,
    ProviderStatus,
    Trust,
    link_direction,
)
from standards.vocabulary import ProviderType


class AreaFactory(factory.django.DjangoModelFactory):
    """Codes 100–199, then 000–099: no real English LA code starts with 0 or 1."""

    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{(100 + n) % 200:03d}")
    gss_code = factory.Sequence(lambda n: f"E99{n:06d}")
    name = factory.Sequence(lambda n: f"Testshire {n}")
    region_code = "E12000007"
    region_name = "London"


class AreaCodeAliasFactory(factory.django.DjangoModelFactory):
    """Another code an area is known by (a new authority's, or a merged one's)."""

    class Meta:
        model = AreaCodeAlias

    area = factory.SubFactory(AreaFactory)
    code = factory.Sequence(lambda n: f"E06{900000 + n:06d}")


class IcbFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntegratedCareBoard
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"E54{900000 + n:06d}")
    nhs_code = factory.Sequence(lambda n: f"Z{n:04d}")
    name = factory.Sequence(lambda n: f"NHS Test {n} Integrated Care Board")


class IcbAreaCoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IcbAreaCoverage

    icb = factory.SubFactory(IcbFactory)
    area = factory.SubFactory(AreaFactory)
    share = "1.0000"
    lsoa_count = 100


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: str(900000 + n))
    name = factory.Sequence(lambda n: f"Test Learning Trust {n}")


class ProviderFactory(factory.django.DjangoModelFactory):
    """An open mainstream primary school by default.

    Traits: `local_authority=True` (the area's LA: la_code = area code, no URN),
    `icb_provider=True` (an ICB: icb_code = the ICB's code, no area, no URN).
    """

    class Meta:
        model = Provider

    class Params:
        local_authority = factory.Trait(
            provider_type=ProviderType.LOCAL_AUTHORITY,
            urn=None,
            name=factory.LazyAttribute(lambda o: f"{o.area.name} Council"),
            la_code=factory.LazyAttribute(lambda o: o.area.code),
            phase=Phase.NOT_APPLICABLE,
        )
        icb_provider = factory.Trait(
            provider_type=ProviderType.INTEGRATED_CARE_BOARD,
            urn=None,
            area=None,
            icb=factory.SubFactory(IcbFactory),
            name=factory.LazyAttribute(lambda o: o.icb.name),
            icb_code=factory.LazyAttribute(lambda o: o.icb.code),
            phase=Phase.NOT_APPLICABLE,
        )

    provider_type = ProviderType.MAINSTREAM_SCHOOL
    name = factory.Sequence(lambda n: f"Test Primary School {n}")
    urn = factory.Sequence(lambda n: str(9_000_000 + n))
    area = factory.SubFactory(AreaFactory)
    phase = Phase.PRIMARY
    status = ProviderStatus.OPEN
    establishment_type = "Community school"


class LocalAuthorityProviderFactory(ProviderFactory):
    local_authority = True


class IcbProviderFactory(ProviderFactory):
    icb_provider = True


class ProviderLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderLink

    provider = factory.SubFactory(ProviderFactory)
    linked_provider = factory.SubFactory(ProviderFactory)
    linked_urn = factory.LazyAttribute(lambda o: o.linked_provider.urn)
    link_type = "Successor"
    direction = factory.LazyAttribute(lambda o: link_direction(o.link_type))
