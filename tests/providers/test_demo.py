import pytest

from providers.demo import DEMO_AREA_CODES, DEMO_HEADTEACHER_SCHOOL_URN, load_demo_providers
from providers.models import Provider
from providers.selectors import area_by_code

pytestmark = pytest.mark.django_db


def test_demo_providers_load_idempotently(db):
    first = load_demo_providers(area_codes=DEMO_AREA_CODES)
    assert first["created"] > 400
    assert first["local_authorities"] == 3
    assert first["colleges"] == 3
    assert first["early_years_settings"] == 18
    assert first["integrated_care_boards"] == 4  # Buckinghamshire spans two ICBs
    again = load_demo_providers(area_codes=DEMO_AREA_CODES)
    assert (again["created"], again["updated"]) == (0, 0)
    assert again["unchanged"] == Provider.objects.count()


def test_demo_headteacher_school_is_an_open_primary_in_the_first_area(db):
    load_demo_providers(area_codes=DEMO_AREA_CODES)
    school = Provider.objects.get(urn=DEMO_HEADTEACHER_SCHOOL_URN)
    assert (school.provider_type, school.phase, school.status) == (
        "mainstream_school",
        "primary",
        "open",
    )
    assert school.area == area_by_code(DEMO_AREA_CODES[0])


def test_demo_has_every_kind_of_provider_and_sen_types(db):
    load_demo_providers(area_codes=DEMO_AREA_CODES)
    kinds = set(Provider.objects.values_list("provider_type", flat=True))
    assert {
        "mainstream_school",
        "special_school",
        "early_years_setting",
        "further_education_college",
        "local_authority",
        "integrated_care_board",
    } <= kinds
    westminster = Provider.objects.get(la_code="213")
    assert westminster.name == "Westminster"
    assert (
        Provider.objects.filter(provider_type="special_school")
        .exclude(sen_provision_types=[])
        .exists()
    )
    assert Provider.objects.filter(urn__startswith="EY9").count() == 18
    assert Provider.objects.filter(ukprn__startswith="1999").count() == 3


def test_unknown_area_codes_are_refused(db):
    with pytest.raises(ValueError, match="not an area code: 999"):
        load_demo_providers(area_codes=["213", "999"])
