import datetime as dt

import pytest

from providers.selectors import (
    current_provider_for,
    predecessor_chain,
    provider_by_urn,
    providers_in_area,
    successor_chain,
)
from tests.providers.factories import AreaFactory, ProviderFactory, ProviderLinkFactory

pytestmark = pytest.mark.django_db


def closed(**kw):
    return ProviderFactory(status="closed", **kw)


def test_successor_chain_follows_links_from_either_end():
    a, b = closed(), closed()
    c = ProviderFactory(opened_on=dt.date(2020, 9, 1))
    ProviderLinkFactory(provider=a, linked_provider=b, link_type="Successor")
    # b's successor is recorded only on c, as its predecessor.
    ProviderLinkFactory(provider=c, linked_provider=b, link_type="Predecessor - merged")
    assert successor_chain(a) == [b, c]
    assert successor_chain(b) == [c]
    assert successor_chain(c) == []
    assert predecessor_chain(c) == [b, a]
    assert current_provider_for(a) == c
    assert current_provider_for(c) == c


def test_chains_are_cycle_safe():
    a, b = closed(), closed()
    ProviderLinkFactory(provider=a, linked_provider=b, link_type="Successor")
    ProviderLinkFactory(provider=b, linked_provider=a, link_type="Successor")
    assert successor_chain(a) == [b]
    assert predecessor_chain(a) == [b]
    assert current_provider_for(a) is None


def test_other_links_and_unresolved_links_are_not_followed():
    a, b = closed(), ProviderFactory()
    ProviderLinkFactory(provider=a, linked_provider=b, link_type="Sixth Form Centre Link")
    ProviderLinkFactory(provider=a, linked_provider=None, linked_urn="555", link_type="Successor")
    assert successor_chain(a) == []
    assert current_provider_for(a) is None


def test_current_provider_is_the_latest_open_successor_of_a_split():
    a = closed()
    early = ProviderFactory(opened_on=dt.date(2015, 9, 1))
    late = ProviderFactory(opened_on=dt.date(2019, 9, 1))
    gone = closed(opened_on=dt.date(2023, 9, 1))
    for successor in (early, late, gone):
        ProviderLinkFactory(
            provider=a, linked_provider=successor, link_type="Successor - Split School"
        )
    assert current_provider_for(a) == late


def test_a_school_proposed_to_close_is_still_current():
    a = ProviderFactory(status="proposed_to_close")
    assert current_provider_for(a) == a


def test_providers_in_area_and_by_urn():
    area = AreaFactory()
    school = ProviderFactory(area=area, urn="123456")
    closed(area=area)
    ProviderFactory(area=area, provider_type="special_school")
    assert list(providers_in_area(area, provider_types=["mainstream_school"])) == [school]
    assert providers_in_area(area, open_only=False).count() == 3
    assert provider_by_urn(" 123456 ") == school
    assert provider_by_urn("") is None
