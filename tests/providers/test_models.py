import pytest
from django.db import IntegrityError, transaction

from providers.models import Provider, link_direction
from tests.providers.factories import (
    AreaFactory,
    IcbAreaCoverageFactory,
    IcbFactory,
    IcbProviderFactory,
    LocalAuthorityProviderFactory,
    ProviderFactory,
    TrustFactory,
)

pytestmark = pytest.mark.django_db


def refused(**kw):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderFactory(**kw)


def test_factories_work_on_their_own():
    areas = AreaFactory.create_batch(3)
    assert len({a.code for a in areas}) == 3
    assert all(len(a.code) == 3 and len(a.gss_code) == 9 for a in areas)
    assert len({i.code for i in IcbFactory.create_batch(3)}) == 3
    assert TrustFactory().code != TrustFactory().code
    school = ProviderFactory(trust=TrustFactory())
    assert (school.provider_type, school.status, school.phase) == (
        "mainstream_school",
        "open",
        "primary",
    )
    la = LocalAuthorityProviderFactory()
    assert (la.la_code, la.urn) == (la.area.code, None)
    icb = IcbProviderFactory()
    assert (icb.icb_code, icb.area, icb.urn) == (icb.icb.code, None, None)
    coverage = IcbAreaCoverageFactory()
    assert coverage.area in coverage.icb.areas.all()


def test_la_code_only_on_local_authorities():
    refused(la_code="201")
    refused(provider_type="local_authority", urn=None)


def test_icb_code_only_on_icbs():
    refused(icb_code="E54000029")
    refused(provider_type="integrated_care_board", urn=None, area=None)


def test_only_icbs_may_have_no_area():
    refused(area=None)
    assert IcbProviderFactory().area is None


def test_urn_ukprn_and_codes_are_unique_where_present():
    ProviderFactory(urn="100", ukprn="10000001")
    refused(urn="100")
    refused(ukprn="10000001")
    ProviderFactory(urn=None, ukprn=None)
    ProviderFactory(urn=None, ukprn=None)
    la = LocalAuthorityProviderFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        LocalAuthorityProviderFactory(la_code=la.la_code)
    assert Provider.objects.filter(urn__isnull=True).count() == 3


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("Successor", "successor"),
        ("Successor - merged", "successor"),
        ("Successor - Split School", "successor"),
        ("Predecessor", "predecessor"),
        ("Predecessor - amalgamated", "predecessor"),
        ("Result of Amalgamation", "other"),
        ("Sixth Form Centre Link", "other"),
        ("Merged - change in age range", "other"),
        ("Closure", "other"),
    ],
)
def test_link_direction(text, direction):
    assert link_direction(text) == direction
