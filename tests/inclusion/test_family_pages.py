"""The family pages: search, area page, setting page; errors keep answers and never 500."""

import datetime as dt

import pytest
from django.urls import reverse

from providers.models import ProviderStatus
from standards.vocabulary import ProviderType
from tests.inclusion.search_factories import declare, family_version, make_plan, place, setting
from tests.providers.factories import AreaFactory, ProviderFactory

pytestmark = pytest.mark.django_db

SEARCH = "/find-a-setting/"


@pytest.fixture
def home():
    return AreaFactory(code="213", name="Westminster")


def test_the_search_page_asks_the_questions(client):
    response = client.get(SEARCH)
    assert response.status_code == 200
    text = response.content.decode()
    assert '<h1 class="govuk-heading-xl">Find a setting</h1>' in text
    assert 'method="get"' in text
    assert 'name="postcode"' in text and 'name="age"' in text and 'name="need"' in text
    assert "There is a problem" not in text
    assert "What we found" not in text


def test_a_postcode_search_lists_settings_with_places_first_with_reasons(client, home):
    near = setting(home, name="Near Primary", easting=529950, northing=179400)
    setting(home, name="Another Primary", easting=529900, northing=179300)
    setting(home, name="Unplaced Primary")
    make_plan(home, [place(near, need_types=["ASD"])])
    response = client.get(
        SEARCH,
        {"postcode": "sw1p 3ny", "age": "7", "need": "communication_interaction", "ehc": "yes"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Settings with places or support for this need" in text
    first = text.index("Settings with places or support for this need")
    assert (
        first
        < text.index("Near Primary")
        < text.index("Other settings")
        < text.index("Another Primary")
    )
    assert "Resourced provision for autistic spectrum disorder" in text
    assert "less than 0.1 miles away" in text
    assert "Unplaced Primary" in text and "We do not know how far away it is" in text
    assert "section 41" in text and "in the usual way" in text
    assert "Most places at special schools are only for children with an EHC plan" in text
    assert 'value="sw1p 3ny"' in text  # answers kept
    assert "suitable" not in text.lower()
    assert "score" not in text.lower()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"postcode": "12345", "age": "7"}, "Enter a full postcode, like SW1A 1AA"),
        ({"postcode": "EH1 1AA", "age": "7"}, "We cannot find this postcode in England"),
        ({"area": "213", "age": "40"}, "Enter an age from 0 to 25"),
        ({"area": "999", "age": "7"}, "Select your council from the list"),
        ({"search": "1"}, "Enter your postcode, or pick your council"),
    ],
)
def test_bad_input_gets_an_error_summary_and_keeps_answers(client, home, params, message):
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert message in text
    assert "<title>Error: " in text
    assert "What we found" not in text
    for value in params.values():
        if params.get("area") != value and value not in {"1"}:
            assert f'value="{value}"' in text


def test_the_area_page_searches_that_area(client, home):
    setting(home, name="Area School")
    setting(AreaFactory(code="846"), name="Other School")
    response = client.get(reverse("find_a_setting:area", args=["213"]), {"age": "7", "search": "1"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Find a setting in Westminster" in text
    assert "Area School" in text and "Other School" not in text
    assert "We cannot show how far away each place is" in text


def test_an_unknown_area_page_is_not_found(client):
    assert client.get("/find-a-setting/999/").status_code == 404


def test_results_are_paginated(client, home):
    for n in range(25):
        setting(home, name=f"School {n:02d}")
    first = client.get(SEARCH, {"area": "213", "age": "7"}).content.decode()
    assert "School 19" in first and "School 20" not in first
    assert "page=2" in first
    second = client.get(SEARCH, {"area": "213", "age": "7", "page": "2"}).content.decode()
    assert "School 20" in second and "School 19" not in second


def test_a_setting_page_shows_places_and_only_accepted_facts(client, home):
    version = family_version()
    school = setting(home, name="Fact School", website="www.fact.example", urn="123456")
    make_plan(home, [place(school, need_types=["ASD", "SLCN"], places=12)])
    declare(
        school,
        version,
        {
            "SCH-SEN-INFORMATION-REPORT": "https://fact.example/sen-report",
            "SCH-ACCESSIBILITY-PLAN-PUBLISHED": "https://fact.example/access",
            "SCH-PARENT-MEETINGS": 95,
            "SCH-SENCO-QUALIFICATION": "npq_senco",
            "SCH-SENCO-APPOINTED-DATE": "2015-09-01",
            "SCH-SENCO-NAME": "Ms Secret Person",
        },
    )
    response = client.get(reverse("find_a_setting:setting", args=[school.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Fact School" in text
    assert "4 to 11" in text
    assert "Autistic spectrum disorder, Speech, language and communication needs" in text
    assert ">12<" in text
    assert 'href="https://fact.example/sen-report"' in text
    assert 'href="https://fact.example/access"' in text
    assert "95% of children" in text
    assert "Meets the rule. The SENCO has the SENCO qualification." in text
    assert "Westminster council checked it on" in text
    assert dt.date.today().strftime("%Y") in text
    assert "Ms Secret Person" not in text
    assert 'href="https://www.fact.example"' in text
    assert 'href="https://reports.ofsted.gov.uk/provider/21/123456"' in text


def test_a_setting_page_hides_facts_the_area_has_not_accepted(client, home):
    version = family_version()
    school = setting(home, name="New School")
    declare(
        school,
        version,
        {"SCH-SEN-INFORMATION-REPORT": "https://new.example/report"},
        accepted=False,
    )
    text = client.get(reverse("find_a_setting:setting", args=[school.pk])).content.decode()
    assert "new.example" not in text
    assert "nothing from this setting that the council has checked" in text
    assert "does not list any" in text


def test_a_later_unaccepted_declaration_hides_the_earlier_accepted_facts(client, home):
    version = family_version()
    school = setting(home)
    declare(school, version, {"SCH-SEN-INFORMATION-REPORT": "https://old.example/report"})
    declare(
        school,
        version,
        {"SCH-SEN-INFORMATION-REPORT": "https://new.example/r"},
        accepted=False,
        revision=2,
    )
    text = client.get(reverse("find_a_setting:setting", args=[school.pk])).content.decode()
    assert "old.example" not in text and "new.example" not in text


@pytest.mark.parametrize(
    "kind",
    ["closed", "local_authority", "missing"],
)
def test_only_open_settings_have_a_page(client, home, kind):
    if kind == "closed":
        pk = setting(home, status=ProviderStatus.CLOSED).pk
    elif kind == "local_authority":
        pk = ProviderFactory(area=home, local_authority=True).pk
    else:
        pk = 99999
    assert client.get(reverse("find_a_setting:setting", args=[pk])).status_code == 404


def test_the_setting_page_links_back_to_the_search(client, home):
    school = setting(home, provider_type=ProviderType.SPECIAL_SCHOOL)
    url = reverse("find_a_setting:setting", args=[school.pk])
    text = client.get(url, {"back": "area=213&age=7&evil=x"}).content.decode()
    assert 'href="/find-a-setting/?area=213&amp;age=7#results"' in text


def test_the_home_page_links_to_find_a_setting(client):
    text = client.get("/").content.decode()
    assert 'href="/find-a-setting/"' in text and "find a setting" in text
