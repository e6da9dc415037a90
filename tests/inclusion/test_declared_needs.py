"""The statutory baseline 1.1 asks schools which kinds of needs they provide for
(SETTING-NEEDS-PROVIDED-FOR): once the area accepts the answer, Find a setting lists the school
for those needs, on the page and in the API, with the declared-provision reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from inclusion.search import DECLARED_NEEDS_KEYS, DECLARED_TEXT
from standards.models import StandardVersion
from standards.services import load_version, publish_version
from tests.inclusion.search_factories import declare, setting
from tests.providers.factories import AreaFactory

pytestmark = pytest.mark.django_db

BASELINE_1_1 = (
    Path(__file__).resolve().parents[2] / "standards" / "data" / "send-statutory-baseline-1.1.yaml"
)
NEEDS_KEY = "SETTING-NEEDS-PROVIDED-FOR"
SEARCH = {"postcode": "SW1P 3NY", "age": "7", "need_type": "ASD", "distance": "3"}


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "100000/minute", "settings_search": "1000/minute"},
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def baseline_text() -> str:
    return BASELINE_1_1.read_text(encoding="utf-8")


@pytest.fixture
def baseline(baseline_text) -> StandardVersion:
    load_version(text=baseline_text)
    return publish_version(slug="send-statutory-baseline", version="1.1")


@pytest.fixture
def home():
    return AreaFactory(code="213", name="Westminster")


def test_the_search_reads_the_requirement_the_baseline_asks(baseline):
    assert DECLARED_NEEDS_KEYS == (NEEDS_KEY,)
    requirement = baseline.requirements.get(key=NEEDS_KEY)
    assert requirement.answer_type == "multiple_choice"
    assert "asd" in [c["value"] for c in requirement.choices]


def test_an_accepted_answer_lists_the_school_for_that_need_on_the_page_and_in_the_api(
    client, baseline, home
):
    declaring = setting(home, name="Declaring Primary", easting=529950, northing=179400)
    setting(home, name="Quiet Primary", easting=529900, northing=179300)
    declare(
        declaring,
        baseline,
        {
            "SCH-SEN-INFORMATION-REPORT": "https://declaring.example/sen-report",
            NEEDS_KEY: ["asd", "slcn", "semh"],
        },
    )
    page = client.get("/find-a-setting/", SEARCH)
    assert page.status_code == 200
    text = page.content.decode()
    group = text.index("Settings with places or support for this need")
    assert group < text.index("Declaring Primary") < text.index("Other settings")
    assert text.index("Other settings") < text.index("Quiet Primary")
    assert DECLARED_TEXT in text

    response = APIClient().get("/api/v1/settings/", SEARCH)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["with_places_or_support_count"] == 1
    first = body["results"][0]
    assert first["name"] == "Declaring Primary" and first["group"] == "places_or_support"
    assert [r["kind"] for r in first["reasons"]] == ["declared"]
    assert first["reasons"][0]["text"] == DECLARED_TEXT


def test_a_broad_area_search_finds_a_declared_need_type_but_another_need_does_not(
    client, baseline, home
):
    school = setting(home, name="Declaring Primary", easting=529950, northing=179400)
    declare(
        school,
        baseline,
        {"SCH-SEN-INFORMATION-REPORT": "https://declaring.example/sen-report", NEEDS_KEY: ["hi"]},
    )
    broad = APIClient().get("/api/v1/settings/", {**SEARCH, "need_type": "VI"}).json()
    assert broad["with_places_or_support_count"] == 0
    sensory = {k: v for k, v in SEARCH.items() if k != "need_type"}
    found = APIClient().get("/api/v1/settings/", {**sensory, "need": "sensory_physical"}).json()
    assert found["with_places_or_support_count"] == 1
    assert found["results"][0]["reasons"][0]["kind"] == "declared"


def test_an_answer_the_area_has_not_accepted_gives_no_reason(client, baseline, home):
    school = setting(home, name="Waiting Primary", easting=529950, northing=179400)
    declare(
        school,
        baseline,
        {"SCH-SEN-INFORMATION-REPORT": "https://waiting.example/sen-report", NEEDS_KEY: ["asd"]},
        accepted=False,
    )
    body = APIClient().get("/api/v1/settings/", SEARCH).json()
    assert body["with_places_or_support_count"] == 0
    assert DECLARED_TEXT not in client.get("/find-a-setting/", SEARCH).content.decode()
